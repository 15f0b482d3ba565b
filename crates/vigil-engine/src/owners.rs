//! Owners: teams with their contacts, which team owns which service, and both read from
//! Backstage catalog files (`catalog-info.yaml`): each `Component` names a service and
//! its `spec.owner`; each `Group` is a team with its profile's email and its links.
//!
//! Backstage entity references are `[kind:][namespace/]name`. A group in the `default`
//! namespace is its name (`group:default/payments` → `payments`); in another namespace
//! it keeps it (`finance/payments`); a user owner stays a user (`user:jdoe`). Components
//! are services by `metadata.name`; their namespace is not part of a service's name.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use vigil_store::Team;

use crate::engine::Engine;
use crate::error::{EngineError, Result};

/// Largest catalog file read.
pub const MAX_CATALOG_FILE: u64 = 4 * 1024 * 1024;
/// Most files read from a directory.
pub const MAX_CATALOG_FILES: usize = 10_000;
/// Longest contact value.
const MAX_CONTACT: usize = 2048;

/// What a catalog import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct CatalogReport {
    pub files: usize,
    /// Services whose owner was set: (service, team).
    pub owners: Vec<(String, String)>,
    /// Teams created or updated from `Group` entities.
    pub teams: Vec<String>,
    /// Entities not used, and why: (file, document index, reason).
    pub skipped: Vec<(String, usize, String)>,
}

/// One entity read from a catalog file.
#[derive(Debug)]
enum Entity {
    Component {
        name: String,
        owner: String,
    },
    Group {
        name: String,
        title: Option<String>,
        contacts: serde_json::Value,
    },
}

/// The team name an owner reference names.
pub fn owner_name(reference: &str) -> Option<String> {
    let reference = reference.trim();
    let (kind, rest) = match reference.split_once(':') {
        Some((k, r)) => (Some(k.to_ascii_lowercase()), r),
        None => (None, reference),
    };
    let (namespace, name) = match rest.split_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, rest),
    };
    if name.is_empty() || namespace.is_some_and(str::is_empty) {
        return None;
    }
    let base = match namespace {
        Some(ns) if ns != "default" => format!("{ns}/{name}"),
        _ => name.to_owned(),
    };
    Some(match kind.as_deref() {
        None | Some("group") => base,
        Some(k) => format!("{k}:{base}"),
    })
}

/// The entities of one catalog file (YAML, one or more documents).
fn read_entities(file: &str, bytes: &[u8], report: &mut CatalogReport) -> Result<Vec<Entity>> {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_slice_multiple(bytes)
        .map_err(|e| EngineError::Invalid(format!("{file}: not YAML: {e}")))?;
    let mut out = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let api = doc["apiVersion"].as_str().unwrap_or_default();
        if !api.starts_with("backstage.io/") {
            report
                .skipped
                .push((file.to_owned(), i, "not a Backstage entity".into()));
            continue;
        }
        let Some(name) = doc["metadata"]["name"].as_str().filter(|n| !n.is_empty()) else {
            report
                .skipped
                .push((file.to_owned(), i, "no metadata.name".into()));
            continue;
        };
        match doc["kind"].as_str().unwrap_or_default() {
            "Component" => match doc["spec"]["owner"].as_str().and_then(owner_name) {
                Some(owner) => out.push(Entity::Component {
                    name: name.to_owned(),
                    owner,
                }),
                None => report.skipped.push((
                    file.to_owned(),
                    i,
                    format!("component {name} has no spec.owner"),
                )),
            },
            "Group" => {
                let mut contacts = serde_json::Map::new();
                if let Some(email) = doc["spec"]["profile"]["email"].as_str() {
                    contacts.insert("email".into(), email.into());
                }
                let links: Vec<serde_json::Value> = doc["metadata"]["links"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l["url"].as_str())
                    .map(|u| u.into())
                    .collect();
                if !links.is_empty() {
                    contacts.insert("links".into(), links.into());
                }
                let title = doc["spec"]["profile"]["displayName"]
                    .as_str()
                    .or(doc["metadata"]["title"].as_str())
                    .map(str::to_owned);
                // A group in another namespace keeps it, as owner references do.
                let namespace = doc["metadata"]["namespace"].as_str().unwrap_or("default");
                let Some(team) = owner_name(&format!("group:{namespace}/{name}")) else {
                    report.skipped.push((
                        file.to_owned(),
                        i,
                        format!("group {name} has an empty namespace"),
                    ));
                    continue;
                };
                if title.as_ref().is_some_and(|t| t.len() > MAX_CONTACT) {
                    report.skipped.push((
                        file.to_owned(),
                        i,
                        format!("group {name} has a title over {MAX_CONTACT} bytes"),
                    ));
                    continue;
                }
                out.push(Entity::Group {
                    name: team,
                    title,
                    contacts: contacts.into(),
                });
            }
            other => report.skipped.push((
                file.to_owned(),
                i,
                format!("kind {other} is neither Component nor Group"),
            )),
        }
    }
    Ok(out)
}

/// The YAML files of `path`: itself if a file, else every `.yaml`/`.yml` under it.
fn catalog_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| EngineError::Invalid(format!("{}: {e}", path.display())))?;
    if meta.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files = Vec::new();
    let mut stack = vec![path.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| EngineError::Invalid(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry =
                entry.map_err(|e| EngineError::Invalid(format!("{}: {e}", dir.display())))?;
            let p = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| EngineError::Invalid(format!("{}: {e}", p.display())))?;
            if kind.is_dir() {
                stack.push(p);
            } else if kind.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                files.push(p);
                if files.len() > MAX_CATALOG_FILES {
                    return Err(EngineError::Invalid(format!(
                        "{} holds more than {MAX_CATALOG_FILES} YAML files; import a narrower directory",
                        path.display()
                    )));
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Checks a contacts object: an object of strings or lists of strings, each short.
pub fn check_contacts(contacts: &serde_json::Value) -> Result<()> {
    let Some(map) = contacts.as_object() else {
        return Err(EngineError::Invalid(
            "contacts must be a JSON object".into(),
        ));
    };
    for (k, v) in map {
        let ok = match v {
            serde_json::Value::String(s) => s.len() <= MAX_CONTACT,
            serde_json::Value::Array(items) => {
                items.len() <= 32
                    && items
                        .iter()
                        .all(|i| i.as_str().is_some_and(|s| s.len() <= MAX_CONTACT))
            }
            _ => false,
        };
        if !ok || k.len() > 64 {
            return Err(EngineError::Invalid(format!(
                "contact {k:?} must be a string or a list of at most 32 strings, each at most {MAX_CONTACT} bytes"
            )));
        }
    }
    Ok(())
}

impl Engine {
    /// Creates or replaces a team with its contacts.
    pub fn put_team(
        &mut self,
        name: &str,
        title: Option<&str>,
        contacts: &serde_json::Value,
        source: &str,
    ) -> Result<()> {
        self.check_name("team", name)?;
        check_contacts(contacts)?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        tx.upsert_team(name, title, contacts, source, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Every team with its contacts and services.
    pub fn teams(&mut self) -> Result<Vec<Team>> {
        Ok(self.store.read()?.teams()?)
    }

    /// Sets the team that owns a service (creating the service if new).
    pub fn set_owner(&mut self, service: &str, team: &str) -> Result<()> {
        self.check_name("service", service)?;
        self.check_name("team", team)?;
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        tx.upsert_service(service, Some(team), now)?;
        self.changes
            .announce(&mut tx, &crate::changes::Change::Everything)?;
        self.changes
            .commit(tx, &crate::changes::Change::Everything)?;
        Ok(())
    }

    /// Imports owners and teams from Backstage catalog files: one file, or every YAML
    /// file under a directory. All or nothing: a file that is not YAML fails the import.
    pub fn import_backstage(&mut self, path: &Path) -> Result<CatalogReport> {
        let mut contents = Vec::new();
        for file in catalog_files(path)? {
            let shown = file.display().to_string();
            let size = std::fs::metadata(&file)
                .map_err(|e| EngineError::Invalid(format!("{shown}: {e}")))?
                .len();
            if size > MAX_CATALOG_FILE {
                return Err(EngineError::Invalid(format!(
                    "{shown} is {size} bytes; the limit for a catalog file is {MAX_CATALOG_FILE}"
                )));
            }
            let bytes =
                std::fs::read(&file).map_err(|e| EngineError::Invalid(format!("{shown}: {e}")))?;
            contents.push((shown, bytes));
        }
        self.import_backstage_files(&contents)
    }

    /// Imports owners and teams from catalog files given as (name, bytes), as
    /// [`Engine::import_backstage`] does; the name is how errors and sources call it.
    pub fn import_backstage_files(&mut self, files: &[(String, Vec<u8>)]) -> Result<CatalogReport> {
        let mut report = CatalogReport {
            files: files.len(),
            ..CatalogReport::default()
        };
        let mut owners: BTreeMap<String, String> = BTreeMap::new();
        let mut teams: BTreeMap<String, (Option<String>, serde_json::Value, String)> =
            BTreeMap::new();
        for (shown, bytes) in files {
            if bytes.len() as u64 > MAX_CATALOG_FILE {
                return Err(EngineError::Invalid(format!(
                    "{shown} is {} bytes; the limit for a catalog file is {MAX_CATALOG_FILE}",
                    bytes.len()
                )));
            }
            for entity in read_entities(shown, bytes, &mut report)? {
                match entity {
                    Entity::Component { name, owner } => {
                        self.check_name("service", &name)?;
                        self.check_name("team", &owner)?;
                        owners.insert(name, owner);
                    }
                    Entity::Group {
                        name,
                        title,
                        contacts,
                    } => {
                        self.check_name("team", &name)?;
                        check_contacts(&contacts)?;
                        teams.insert(name, (title, contacts, format!("backstage:{shown}")));
                    }
                }
            }
        }
        let now = self.clock.now();
        let mut tx = self.store.write()?;
        for (name, (title, contacts, source)) in &teams {
            tx.upsert_team(name, title.as_deref(), contacts, source, now)?;
        }
        for (service, team) in &owners {
            tx.upsert_service(service, Some(team), now)?;
        }
        self.changes
            .announce(&mut tx, &crate::changes::Change::Everything)?;
        self.changes
            .commit(tx, &crate::changes::Change::Everything)?;
        report.owners = owners.into_iter().collect();
        report.teams = teams.into_keys().collect();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_references() {
        assert_eq!(owner_name("payments").as_deref(), Some("payments"));
        assert_eq!(
            owner_name("group:default/payments").as_deref(),
            Some("payments")
        );
        assert_eq!(owner_name("group:payments").as_deref(), Some("payments"));
        assert_eq!(
            owner_name("group:finance/payments").as_deref(),
            Some("finance/payments")
        );
        assert_eq!(
            owner_name("user:default/jdoe").as_deref(),
            Some("user:jdoe")
        );
        assert_eq!(owner_name("group:default/"), None);
        assert_eq!(owner_name(""), None);
    }

    #[test]
    fn entities_from_a_multi_document_file() {
        let yaml = br#"
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  links:
    - url: https://wiki.example.com/payments
spec:
  type: team
  profile:
    displayName: Payments
    email: payments@example.com
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: checkout-api
spec:
  owner: payments
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
"#;
        let mut report = CatalogReport::default();
        let entities = read_entities("catalog-info.yaml", yaml, &mut report).unwrap();
        assert_eq!(entities.len(), 2);
        match &entities[0] {
            Entity::Component { name, owner } => {
                assert_eq!((name.as_str(), owner.as_str()), ("checkout", "payments"));
            }
            other => panic!("{other:?}"),
        }
        match &entities[1] {
            Entity::Group {
                name,
                title,
                contacts,
            } => {
                assert_eq!(name, "payments");
                assert_eq!(title.as_deref(), Some("Payments"));
                assert_eq!(contacts["email"], "payments@example.com");
                assert_eq!(contacts["links"][0], "https://wiki.example.com/payments");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(report.skipped.len(), 2);
        assert!(read_entities("x.yaml", b"{ not yaml: [", &mut report).is_err());
    }
}
