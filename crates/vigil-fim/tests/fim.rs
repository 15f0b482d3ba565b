#![allow(clippy::unwrap_used, reason = "tests panic on failure by design")]
//! Baselines and checks of real trees: each test builds a tree, baselines it, edits it
//! and expects the change list, written one line per entry (`changed a.txt
//! content,size`).

use std::fs;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::{PermissionsExt as _, symlink};
use std::path::Path;

use vigil_fim::{Changes, Error, Kind, Limits, Manifest, Options, RelPath, baseline, check};

/// The changes, one line each: `added PATH`, `removed PATH`, `changed PATH what,what`.
fn render(changes: &Changes) -> String {
    let mut lines = Vec::new();
    lines.extend(changes.added.iter().map(|e| format!("added {}", e.path)));
    lines.extend(
        changes
            .removed
            .iter()
            .map(|e| format!("removed {}", e.path)),
    );
    for c in &changes.changed {
        let what: Vec<&str> = c.what.iter().map(|a| a.name()).collect();
        lines.push(format!("changed {} {}", c.path, what.join(",")));
    }
    lines.join("\n")
}

/// Builds a tree with `setup`, baselines it, edits it with `edit`, and expects the
/// check to report `expect` (empty: clean), also after the manifest's JSON round trip.
fn check_edit(setup: impl FnOnce(&Path), edit: impl FnOnce(&Path), expect: &str) {
    let tree = tempfile::tempdir().unwrap();
    setup(tree.path());
    let options = Options::default();
    let manifest = baseline(tree.path(), &options).unwrap();
    assert!(check(tree.path(), &manifest, &options).unwrap().is_clean());
    edit(tree.path());
    let changes = check(tree.path(), &manifest, &options).unwrap();
    assert_eq!(render(&changes), expect);
    assert_eq!(changes.is_clean(), expect.is_empty());
    let read_back = Manifest::from_json(&manifest.to_json(), &Limits::default()).unwrap();
    assert_eq!(read_back, manifest);
    assert_eq!(
        render(&check(tree.path(), &read_back, &options).unwrap()),
        expect
    );
}

fn write(path: impl AsRef<Path>, content: &str) {
    fs::write(path, content).unwrap();
}

fn chmod(path: impl AsRef<Path>, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn app(root: &Path) {
    fs::create_dir_all(root.join("bin")).unwrap();
    fs::create_dir_all(root.join("lib/python")).unwrap();
    write(root.join("bin/app"), "#!/bin/sh\nexec python3 -m app\n");
    chmod(root.join("bin/app"), 0o755);
    write(root.join("lib/python/app.py"), "print('hello')\n");
    write(root.join("lib/python/__init__.py"), "");
    write(root.join("VERSION"), "1.4.2\n");
    symlink("python/app.py", root.join("lib/current")).unwrap();
}

fn running_as_root() -> bool {
    let probe = tempfile::NamedTempFile::new().unwrap();
    std::os::unix::fs::MetadataExt::uid(&probe.as_file().metadata().unwrap()) == 0
}

#[test]
fn unchanged_tree_is_clean() {
    check_edit(app, |_| {}, "");
}

#[test]
fn added_file_and_directory() {
    check_edit(
        app,
        |t| {
            fs::create_dir(t.join("lib/extra")).unwrap();
            write(t.join("lib/extra/evil.so"), "payload");
            write(t.join("bin/helper"), "x");
        },
        "added bin/helper\nadded lib/extra\nadded lib/extra/evil.so",
    );
}

#[test]
fn removed_files() {
    check_edit(
        app,
        |t| fs::remove_dir_all(t.join("lib/python")).unwrap(),
        "removed lib/python\nremoved lib/python/__init__.py\nremoved lib/python/app.py",
    );
}

#[test]
fn changed_content_and_size() {
    check_edit(
        app,
        |t| write(t.join("VERSION"), "1.4.3-rc1\n"),
        "changed VERSION content,size",
    );
}

#[test]
fn same_size_content_change() {
    check_edit(
        app,
        |t| write(t.join("VERSION"), "1.4.3\n"),
        "changed VERSION content",
    );
}

#[test]
fn permission_only_change_is_a_mode_change_and_nothing_else() {
    check_edit(
        app,
        |t| chmod(t.join("bin/app"), 0o4755),
        "changed bin/app mode",
    );
    check_edit(app, |t| chmod(t.join("lib"), 0o700), "changed lib mode");
}

#[test]
fn owner_change() {
    if !running_as_root() {
        println!("SKIPPED owner_change: chown to another user needs root");
        return;
    }
    check_edit(
        app,
        |t| std::os::unix::fs::chown(t.join("VERSION"), Some(4242), None).unwrap(),
        "changed VERSION owner",
    );
    check_edit(
        app,
        |t| std::os::unix::fs::lchown(t.join("lib/current"), None, Some(4242)).unwrap(),
        "changed lib/current owner",
    );
}

#[test]
fn symlink_retargeted() {
    check_edit(
        app,
        |t| {
            fs::remove_file(t.join("lib/current")).unwrap();
            symlink("/etc/passwd", t.join("lib/current")).unwrap();
        },
        "changed lib/current link_target",
    );
}

#[test]
fn file_replaced_by_a_directory() {
    check_edit(
        app,
        |t| {
            fs::remove_file(t.join("VERSION")).unwrap();
            fs::create_dir(t.join("VERSION")).unwrap();
            chmod(t.join("VERSION"), 0o644);
            write(t.join("VERSION/inner"), "x");
        },
        "added VERSION/inner\nchanged VERSION kind",
    );
}

#[test]
fn symlink_replaced_by_a_file() {
    check_edit(
        app,
        |t| {
            fs::remove_file(t.join("lib/current")).unwrap();
            write(t.join("lib/current"), "python/app.py");
        },
        "changed lib/current kind,mode",
    );
}

#[test]
fn empty_files() {
    let tree = tempfile::tempdir().unwrap();
    write(tree.path().join("empty"), "");
    let manifest = baseline(tree.path(), &Options::default()).unwrap();
    let entry = manifest.get(&"empty".parse().unwrap()).unwrap();
    assert_eq!(entry.size, 0);
    assert_eq!(
        entry.sha256().unwrap().to_string(),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    check_edit(
        |t| write(t.join("empty"), ""),
        |t| write(t.join("empty"), "x"),
        "changed empty content,size",
    );
    check_edit(
        |t| write(t.join("full"), "x"),
        |t| write(t.join("full"), ""),
        "changed full content,size",
    );
}

#[test]
fn non_utf8_names() {
    let latin1 = std::ffi::OsStr::from_bytes(b"caf\xe9");
    check_edit(
        |t| {
            write(t.join(latin1), "latin-1");
            write(t.join("café"), "utf-8");
            write(t.join("back\\slash"), "");
        },
        |t| fs::remove_file(t.join(latin1)).unwrap(),
        "removed caf\\xe9",
    );
    let tree = tempfile::tempdir().unwrap();
    write(tree.path().join(latin1), "latin-1");
    symlink(
        std::ffi::OsStr::from_bytes(b"\xff"),
        tree.path().join("link"),
    )
    .unwrap();
    let manifest = baseline(tree.path(), &Options::default()).unwrap();
    let paths: Vec<&str> = manifest.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, [".", "caf\\xe9", "link"]);
    assert_eq!(manifest.entries()[1].path.to_bytes(), b"caf\xe9");
    let json = String::from_utf8(manifest.to_json()).unwrap();
    assert!(json.contains(r#""path":"caf\\xe9""#), "{json}");
    assert!(json.contains(r#""target":"\\xff""#), "{json}");
    let Kind::Symlink { target } = &manifest.entries()[2].kind else {
        panic!()
    };
    assert_eq!(target.to_bytes(), b"\xff");
}

#[test]
fn symlinks_are_never_followed() {
    let tree = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path().join("secret"), "outside the root");
    symlink(outside.path(), tree.path().join("escape")).unwrap();
    symlink("escape/secret", tree.path().join("file-link")).unwrap();
    let manifest = baseline(tree.path(), &Options::default()).unwrap();
    let kinds: Vec<(&str, &str)> = manifest
        .entries()
        .iter()
        .map(|e| (e.path.as_str(), e.kind.name()))
        .collect();
    assert_eq!(
        kinds,
        [
            (".", "dir"),
            ("escape", "symlink"),
            ("file-link", "symlink")
        ]
    );
    // A change behind a symlink is not in the tree.
    write(outside.path().join("secret"), "changed");
    assert!(
        check(tree.path(), &manifest, &Options::default())
            .unwrap()
            .is_clean()
    );
}

#[test]
fn sockets_are_recorded_never_opened() {
    let tree = tempfile::tempdir().unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(tree.path().join("app.sock")).unwrap();
    let manifest = baseline(tree.path(), &Options::default()).unwrap();
    let entry = manifest.get(&"app.sock".parse().unwrap()).unwrap();
    assert_eq!(entry.kind, Kind::Other);
    assert_eq!(entry.size, 0);
}

#[test]
fn mtime_is_recorded_and_compared_only_when_asked() {
    let tree = tempfile::tempdir().unwrap();
    app(tree.path());
    let mut options = Options::default();
    let manifest = baseline(tree.path(), &options).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(tree.path().join("VERSION"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    assert!(check(tree.path(), &manifest, &options).unwrap().is_clean());
    options.compare.mtime = true;
    let changes = check(tree.path(), &manifest, &options).unwrap();
    assert_eq!(render(&changes), "changed VERSION mtime");
}

#[test]
fn trusting_metadata_still_sees_a_write_that_restores_the_mtime() {
    let tree = tempfile::tempdir().unwrap();
    app(tree.path());
    let options = Options {
        trust_unchanged_metadata: true,
        ..Options::default()
    };
    let manifest = baseline(tree.path(), &options).unwrap();
    assert!(check(tree.path(), &manifest, &options).unwrap().is_clean());
    // Same size, mtime set back: only ctime and the content tell.
    let path = tree.path().join("VERSION");
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&path, "9.9.9\n");
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let changes = check(tree.path(), &manifest, &options).unwrap();
    assert_eq!(render(&changes), "changed VERSION content");
}

#[test]
fn excluded_paths_are_left_out_by_baseline_and_check() {
    let tree = tempfile::tempdir().unwrap();
    app(tree.path());
    fs::create_dir(tree.path().join("logs")).unwrap();
    write(tree.path().join("logs/app.log"), "started");
    write(tree.path().join("lib/python/app.pyc"), "bytecode");
    let options = Options {
        exclude: vec!["logs".to_owned(), "**/*.pyc".to_owned()],
        ..Options::default()
    };
    let manifest = baseline(tree.path(), &options).unwrap();
    assert!(
        manifest.entries().iter().all(|e| {
            !e.path.as_str().starts_with("logs") && !e.path.as_str().ends_with(".pyc")
        })
    );
    assert_eq!(manifest.exclude, options.exclude);
    write(tree.path().join("logs/app.log"), "started\nstopped");
    write(tree.path().join("lib/python/other.pyc"), "bytecode");
    // The check takes the patterns from the manifest.
    let changes = check(tree.path(), &manifest, &Options::default()).unwrap();
    assert!(changes.is_clean(), "{}", render(&changes));
}

#[test]
fn a_bad_exclusion_pattern_is_named() {
    let tree = tempfile::tempdir().unwrap();
    let options = Options {
        exclude: vec!["logs/[".to_owned()],
        ..Options::default()
    };
    let error = baseline(tree.path(), &options).unwrap_err().to_string();
    assert!(
        error.starts_with("exclusion pattern \"logs/[\": "),
        "{error}"
    );
}

#[test]
fn files_over_the_hashing_limit_are_recorded_by_size() {
    let limits = Limits {
        max_hashed_file_size: 4,
        ..Limits::default()
    };
    let options = Options {
        limits,
        ..Options::default()
    };
    let tree = tempfile::tempdir().unwrap();
    write(tree.path().join("small"), "1234");
    write(tree.path().join("large"), "12345");
    let manifest = baseline(tree.path(), &options).unwrap();
    let get = |p: &str| manifest.get(&p.parse().unwrap()).unwrap().clone();
    assert!(get("small").sha256().is_some());
    assert_eq!(get("large").kind, Kind::File { sha256: None });
    assert_eq!(get("large").size, 5);
    write(tree.path().join("large"), "54321");
    assert!(check(tree.path(), &manifest, &options).unwrap().is_clean());
    write(tree.path().join("large"), "123456");
    let changes = check(tree.path(), &manifest, &options).unwrap();
    assert_eq!(render(&changes), "changed large size");
}

#[test]
fn limits_are_named_when_reached() {
    let tree = tempfile::tempdir().unwrap();
    app(tree.path());
    let options = Options {
        limits: Limits {
            max_entries: 3,
            ..Limits::default()
        },
        ..Options::default()
    };
    let error = baseline(tree.path(), &options).unwrap_err();
    assert!(
        matches!(
            error,
            Error::LimitExceeded {
                limit: "max_entries",
                ..
            }
        ),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("number of entries exceeds the limit Limits::max_entries = 3 at ")
    );

    let deep = tempfile::tempdir().unwrap();
    fs::create_dir_all(deep.path().join("a/b/c")).unwrap();
    let options = Options {
        limits: Limits {
            max_depth: 2,
            ..Limits::default()
        },
        ..Options::default()
    };
    let error = baseline(deep.path(), &options).unwrap_err().to_string();
    assert!(
        error.starts_with("directory depth exceeds the limit Limits::max_depth = 2 at "),
        "{error}"
    );
    assert!(error.contains("/a/b/c;"), "{error}");
}

#[test]
fn a_root_that_is_not_a_directory() {
    let tree = tempfile::tempdir().unwrap();
    write(tree.path().join("file"), "");
    let root = tree.path().join("file");
    let error = baseline(&root, &Options::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: not a directory; give the directory the artifact is deployed in",
            root.display()
        )
    );
    let missing = tree.path().join("missing");
    let error = baseline(&missing, &Options::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        format!(
            "{}: cannot open: No such file or directory (os error 2)",
            missing.display()
        )
    );
}

/// Run as a user who cannot read `secret.key` (as root, the test runs itself again under
/// `setpriv` as nobody: root reads any file).
#[test]
fn unreadable_file_mid_walk_is_reported_with_its_path() {
    const CHILD: &str = "VIGIL_FIM_TEST_UNREADABLE_TREE";
    let expect = |root: &Path| {
        let error = baseline(root, &Options::default()).unwrap_err().to_string();
        assert_eq!(
            error,
            format!(
                "{}/sub/secret.key: cannot open: Permission denied (os error 13)",
                root.display()
            )
        );
    };
    if let Some(root) = std::env::var_os(CHILD) {
        expect(Path::new(&root));
        return;
    }
    let tree = tempfile::tempdir().unwrap();
    chmod(tree.path(), 0o755);
    app(tree.path());
    fs::create_dir(tree.path().join("sub")).unwrap();
    for i in 0..50 {
        write(tree.path().join(format!("sub/{i:02}.txt")), "readable");
    }
    write(tree.path().join("sub/secret.key"), "private");
    chmod(tree.path().join("sub/secret.key"), 0o000);
    if !running_as_root() {
        expect(tree.path());
        return;
    }
    let setpriv = Path::new("/usr/bin/setpriv");
    if !setpriv.exists() {
        println!(
            "SKIPPED unreadable_file_mid_walk_is_reported_with_its_path: running as root without /usr/bin/setpriv to drop privileges (apt-get install util-linux)"
        );
        return;
    }
    // A copy of this test binary that nobody may run, wherever the build directory is.
    let bin = tempfile::tempdir().unwrap();
    chmod(bin.path(), 0o755);
    let exe = bin.path().join("fim-test");
    fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    chmod(&exe, 0o755);
    let output = std::process::Command::new(setpriv)
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&exe)
        .args([
            "--exact",
            "unreadable_file_mid_walk_is_reported_with_its_path",
            "--nocapture",
        ])
        .env(CHILD, tree.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}\n{stderr}");
}

#[test]
fn ten_thousand_files_compared_to_themselves_are_clean() {
    let tree = tempfile::tempdir().unwrap();
    for d in 0..100 {
        let dir = tree.path().join(format!("d{d:02}"));
        fs::create_dir(&dir).unwrap();
        for f in 0..100 {
            fs::write(
                dir.join(format!("f{f:02}")),
                format!("{d}/{f}").repeat(f + 1),
            )
            .unwrap();
        }
    }
    let options = Options::default();
    let manifest = baseline(tree.path(), &options).unwrap();
    assert_eq!(manifest.totals().files, 10_000);
    assert_eq!(manifest.totals().entries, 10_101);
    assert!(vigil_fim::compare(&manifest, &manifest, &options.compare).is_clean());
    assert!(check(tree.path(), &manifest, &options).unwrap().is_clean());
    let one_thread = Options {
        threads: 1,
        ..Options::default()
    };
    let again = baseline(tree.path(), &one_thread).unwrap();
    assert_eq!(again.entries(), manifest.entries());
}

#[test]
fn manifest_json_is_stable_and_its_digest_is_of_its_bytes() {
    let tree = tempfile::tempdir().unwrap();
    app(tree.path());
    let manifest = baseline(tree.path(), &Options::default()).unwrap();
    let json = manifest.to_json();
    let read_back = Manifest::from_json(&json, &Limits::default()).unwrap();
    assert_eq!(read_back.to_json(), json);
    use sha2::Digest as _;
    let digest: [u8; 32] = sha2::Sha256::digest(&json).into();
    assert_eq!(manifest.digest().0, digest);
    // Pretty-printed, it is the same manifest.
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert_eq!(
        Manifest::from_json(&pretty, &Limits::default()).unwrap(),
        manifest
    );
    assert!(manifest.get(&RelPath::root()).is_some());
}

/// sysfs lists its attribute files as 4,096 bytes and reads back a few: to the crate,
/// a file whose size changed between listing and hashing.
#[test]
fn a_file_that_changes_size_while_hashed_is_reported() {
    let root = Path::new("/sys/kernel/mm/transparent_hugepage");
    if !root.is_dir() {
        println!(
            "SKIPPED a_file_that_changes_size_while_hashed_is_reported: no {}",
            root.display()
        );
        return;
    }
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    let error = baseline(root, &options).unwrap_err();
    assert!(matches!(error, Error::Changed { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with(&format!("{}/", root.display())),
        "{message}"
    );
    assert!(
        message.contains(": changed size while it was hashed (4096 bytes when listed, "),
        "{message}"
    );
    assert!(
        message.ends_with(
            " read); the tree changed while it was read: run again once it is not being changed"
        ),
        "{message}"
    );
}
