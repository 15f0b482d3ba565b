//! Services and their owners, applications (named sets of services), environments.

use serde::Serialize;
use time::OffsetDateTime;

use crate::Tx;
use crate::error::Result;
use crate::sql::{Row, params};
use crate::time::format;

/// A deployable unit with an owning team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    pub id: i64,
    pub name: String,
    pub owner: Option<String>,
    pub created_at: String,
}

/// Where releases run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Environment {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    /// Only releases with a verified signature or attestation may be deployed here.
    pub require_signed: bool,
    /// Days to remediate by severity (`critical=7,high=30,...`); `None` takes the defaults.
    pub sla: Option<String>,
}

/// A named set of services that make one product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Application {
    pub name: String,
    /// Service names, sorted.
    pub services: Vec<String>,
}

fn service(mut r: Row) -> Service {
    Service {
        id: r.int(0),
        name: r.text(1),
        owner: r.opt_text(2),
        created_at: r.text(3),
    }
}

fn environment(mut r: Row) -> Environment {
    Environment {
        id: r.int(0),
        name: r.text(1),
        created_at: r.text(2),
        require_signed: r.int(3) != 0,
        sla: r.opt_text(4),
    }
}

impl Tx<'_> {
    /// The service's id, creating it if new. An `owner` replaces the stored one (a
    /// `service.owner` leaf when it changes); `None` keeps it.
    pub fn upsert_service(
        &mut self,
        name: &str,
        owner: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<i64> {
        let before = match owner {
            Some(_) => Some(self.service(name)?.and_then(|s| s.owner)),
            None => None,
        };
        let id = self.c().query_int(
            "INSERT INTO services (name, owner, created_at) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET owner = COALESCE(excluded.owner, services.owner)
             RETURNING id",
            params![name, owner, format(now).as_str()],
        )?;
        // A new owner is a ledger leaf, however it was set.
        if let (Some(owner), Some(before)) = (owner, before)
            && before.as_deref() != Some(owner)
        {
            self.ledger_event(
                "service.owner",
                format!("service/{name}"),
                &format(now),
                serde_json::json!({ "service": name, "owner": owner }),
            );
        }
        Ok(id)
    }

    pub fn service(&mut self, name: &str) -> Result<Option<Service>> {
        Ok(self
            .c()
            .query_opt(
                "SELECT id, name, owner, created_at FROM services WHERE name = ?",
                params![name],
            )?
            .map(service))
    }

    /// Every service, by name.
    pub fn services(&mut self) -> Result<Vec<Service>> {
        Ok(self
            .c()
            .query(
                "SELECT id, name, owner, created_at FROM services ORDER BY name",
                &[],
            )?
            .into_iter()
            .map(service)
            .collect())
    }

    /// The environment's id, creating it if new.
    pub fn upsert_environment(&mut self, name: &str, now: OffsetDateTime) -> Result<i64> {
        if let Some(e) = self.environment(name)? {
            return Ok(e.id);
        }
        self.c().query_int(
            "INSERT INTO environments (name, created_at) VALUES (?, ?)
             ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
            params![name, format(now).as_str()],
        )
    }

    pub fn environment(&mut self, name: &str) -> Result<Option<Environment>> {
        Ok(self
            .c()
            .query_opt(
                "SELECT id, name, created_at, require_signed, sla FROM environments WHERE name = ?",
                params![name],
            )?
            .map(environment))
    }

    /// Every environment, by name.
    pub fn environments(&mut self) -> Result<Vec<Environment>> {
        Ok(self
            .c()
            .query(
                "SELECT id, name, created_at, require_signed, sla FROM environments ORDER BY name",
                &[],
            )?
            .into_iter()
            .map(environment)
            .collect())
    }

    /// Creates the application if new and adds `service_ids` to it (services already in
    /// it stay).
    pub fn add_application(
        &mut self,
        name: &str,
        service_ids: &[i64],
        now: OffsetDateTime,
    ) -> Result<()> {
        let id = self.c().query_int(
            "INSERT INTO applications (name, created_at) VALUES (?, ?)
             ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
            params![name, format(now).as_str()],
        )?;
        let rows: Vec<_> = service_ids
            .iter()
            .flat_map(|&s| params![id, s].to_vec())
            .collect();
        self.c().insert_many(
            "application_services (application_id, service_id)",
            2,
            &rows,
            "ON CONFLICT DO NOTHING",
        )?;
        Ok(())
    }

    /// Every application with its services.
    pub fn applications(&mut self) -> Result<Vec<Application>> {
        let rows = self.c().query(
            "SELECT a.name, s.name FROM applications a
             LEFT JOIN application_services x ON x.application_id = a.id
             LEFT JOIN services s ON s.id = x.service_id
             ORDER BY a.name, s.name",
            &[],
        )?;
        let mut apps: Vec<Application> = Vec::new();
        for mut r in rows {
            let name = r.text(0);
            if apps.last().is_none_or(|a| a.name != name) {
                apps.push(Application {
                    name,
                    services: Vec::new(),
                });
            }
            if let (Some(app), Some(service)) = (apps.last_mut(), r.opt_text(1)) {
                app.services.push(service);
            }
        }
        Ok(apps)
    }

    /// The services of application `name`, or `None` when there is no such application.
    pub fn application(&mut self, name: &str) -> Result<Option<Application>> {
        Ok(self.applications()?.into_iter().find(|a| a.name == name))
    }
}
