//! A local OSV bucket served over HTTP/1.1, laid out as osv.dev's exporter writes it,
//! for the feed sync tests.
#![allow(dead_code, reason = "each test file uses part of it")]

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

// ---------------------------------------------------------------------------------------
// The bucket

/// One record as published: its id, its `modified` as the listing writes it, its bytes.
#[derive(Clone)]
pub(crate) struct Published {
    pub(crate) modified: String,
    pub(crate) json: Vec<u8>,
}

/// A bucket laid out as osv.dev's exporter writes it, in a temporary directory.
pub(crate) struct Bucket {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) ecosystems: BTreeMap<String, BTreeMap<String, Published>>,
    /// Lines added to an ecosystem's `modified_id.csv` as they are.
    pub(crate) extra_lines: BTreeMap<String, Vec<String>>,
    /// Entries are deflated as the exporter's are, at this level (`None`: the default).
    pub(crate) compression_level: Option<i64>,
}

impl Bucket {
    pub(crate) fn new() -> Bucket {
        Bucket {
            dir: tempfile::tempdir().expect("temporary bucket directory"),
            ecosystems: BTreeMap::new(),
            extra_lines: BTreeMap::new(),
            compression_level: None,
        }
    }

    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    pub(crate) fn file(&self, ecosystem: &str, name: &str) -> PathBuf {
        self.dir.path().join(ecosystem).join(name)
    }

    /// Adds or replaces records (id, modified, bytes) and rewrites the ecosystem's files.
    pub(crate) fn publish(&mut self, ecosystem: &str, records: &[(&str, &str, Vec<u8>)]) {
        let dir = self.dir.path().join(ecosystem);
        std::fs::create_dir_all(&dir).expect("bucket ecosystem directory");
        let held = self.ecosystems.entry(ecosystem.to_owned()).or_default();
        for (id, modified, json) in records {
            std::fs::write(dir.join(format!("{id}.json")), json).expect("writing ID.json");
            held.insert(
                (*id).to_owned(),
                Published {
                    modified: (*modified).to_owned(),
                    json: json.clone(),
                },
            );
        }
        self.write(ecosystem);
    }

    /// Publishes records as JSON bytes, reading id and modified from them.
    pub(crate) fn publish_json(&mut self, ecosystem: &str, records: Vec<Vec<u8>>) {
        let entries: Vec<(String, String, Vec<u8>)> = records
            .into_iter()
            .map(|json| {
                let value: serde_json::Value =
                    serde_json::from_slice(&json).expect("published record is JSON");
                let id = value["id"]
                    .as_str()
                    .expect("published record has an id")
                    .to_owned();
                let modified = value["modified"]
                    .as_str()
                    .expect("published record has a modified time")
                    .to_owned();
                (id, modified, json)
            })
            .collect();
        let borrowed: Vec<(&str, &str, Vec<u8>)> = entries
            .iter()
            .map(|(i, m, j)| (i.as_str(), m.as_str(), j.clone()))
            .collect();
        self.publish(ecosystem, &borrowed);
    }

    pub(crate) fn add_csv_line(&mut self, ecosystem: &str, line: &str) {
        self.extra_lines
            .entry(ecosystem.to_owned())
            .or_default()
            .push(line.to_owned());
        self.write(ecosystem);
    }

    /// Writes `all.zip` and `modified_id.csv` of one ecosystem, and `ecosystems.txt`, as
    /// the exporter does: zip entries by id, the listing newest first
    /// comparing the timestamps as strings, the ecosystem list sorted with no final newline.
    pub(crate) fn write(&self, ecosystem: &str) {
        let records = &self.ecosystems[ecosystem];
        let dir = self.dir.path().join(ecosystem);
        let mut zip = zip::ZipWriter::new(
            std::fs::File::create(dir.join("all.zip")).expect("creating all.zip"),
        );
        for (id, record) in records {
            let options =
                zip::write::SimpleFileOptions::default().compression_level(self.compression_level);
            zip.start_file(format!("{id}.json"), options)
                .expect("adding a zip entry");
            zip.write_all(&record.json).expect("writing a zip entry");
        }
        zip.finish().expect("finishing all.zip");
        let mut lines: Vec<(String, String)> = records
            .iter()
            .map(|(id, r)| (r.modified.clone(), id.clone()))
            .collect();
        lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut csv: String = lines.iter().map(|(m, id)| format!("{m},{id}\n")).collect();
        for line in self.extra_lines.get(ecosystem).into_iter().flatten() {
            csv.insert_str(0, &format!("{line}\n"));
        }
        std::fs::write(dir.join("modified_id.csv"), csv).expect("writing modified_id.csv");
        let names: Vec<&str> = self.ecosystems.keys().map(String::as_str).collect();
        std::fs::write(self.dir.path().join("ecosystems.txt"), names.join("\n"))
            .expect("writing ecosystems.txt");
    }
}

// ---------------------------------------------------------------------------------------
// The server

#[derive(Default)]
pub(crate) struct Options {
    /// Send bodies without a `Content-Length` (chunked).
    pub(crate) chunked: bool,
    /// Answer these paths with this status instead.
    pub(crate) status: HashMap<String, u16>,
}

/// Serves a bucket directory over HTTP/1.1 and counts the requests for each path.
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) hits: Arc<Mutex<BTreeMap<String, usize>>>,
    pub(crate) options: Arc<Mutex<Options>>,
    pub(crate) server: Arc<tiny_http::Server>,
    pub(crate) thread: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(root: PathBuf) -> Server {
        let server =
            Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("binding the test server"));
        let port = server
            .server_addr()
            .to_ip()
            .expect("the test server listens on IP")
            .port();
        let hits = Arc::new(Mutex::new(BTreeMap::new()));
        let options = Arc::new(Mutex::new(Options::default()));
        let thread = {
            let (server, hits, options) = (server.clone(), hits.clone(), options.clone());
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    let path = percent_encoding::percent_decode_str(request.url())
                        .decode_utf8()
                        .expect("request paths are UTF-8")
                        .trim_start_matches('/')
                        .to_owned();
                    *hits
                        .lock()
                        .expect("hit counter")
                        .entry(path.clone())
                        .or_insert(0) += 1;
                    let options = options.lock().expect("server options");
                    let file = root.join(&path);
                    // The client may hang up part way (it stops reading a listing at its
                    // cursor), so a failed write is expected.
                    let _ = if let Some(&status) = options.status.get(&path) {
                        request.respond(tiny_http::Response::empty(status))
                    } else if path.split('/').any(|s| s == "..") || !file.is_file() {
                        request.respond(tiny_http::Response::empty(404))
                    } else if options.chunked {
                        let reader = std::fs::File::open(&file).expect("opening a served file");
                        request.respond(tiny_http::Response::new(
                            200.into(),
                            Vec::new(),
                            reader,
                            None,
                            None,
                        ))
                    } else {
                        let reader = std::fs::File::open(&file).expect("opening a served file");
                        request.respond(tiny_http::Response::from_file(reader))
                    };
                }
            })
        };
        Server {
            base: format!("http://127.0.0.1:{port}"),
            hits,
            options,
            server,
            thread: Some(thread),
        }
    }

    /// The requests for each path since the last call.
    pub(crate) fn take_hits(&self) -> BTreeMap<String, usize> {
        std::mem::take(&mut *self.hits.lock().expect("hit counter"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
