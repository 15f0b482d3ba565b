//! Applications: named sets of existing services, so that exposure rolls up to the
//! product a customer knows.

use vigil_store::Application;

use crate::changes::Change;
use crate::engine::Engine;
use crate::error::{EngineError, Result};

impl Engine {
    /// Creates application `name` if new and adds `services` to it; every service must
    /// exist.
    pub fn add_application(&mut self, name: &str, services: &[String]) -> Result<Application> {
        self.check_name("application", name)?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        let mut ids = Vec::with_capacity(services.len());
        for s in services {
            let service = tx.service(s)?.ok_or_else(|| EngineError::NotFound {
                what: format!("no service {s:?}"),
                hint: Some("a service exists once a release of it is added".into()),
            })?;
            ids.push(service.id);
        }
        tx.add_application(name, &ids, now)?;
        let app = tx
            .application(name)?
            .ok_or_else(|| EngineError::Invalid("the application vanished".into()))?;
        self.changes.announce(&mut tx, &Change::Everything)?;
        self.changes.commit(tx, &Change::Everything)?;
        Ok(app)
    }
}
