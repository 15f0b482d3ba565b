#![no_main]
//! `vigil_reports::parse_falco` on arbitrary bytes, within small limits: never panics;
//! every alert read has a UUID (its own or derived), the same one when read again, and
//! the container and Kubernetes helpers answer without panicking.

use libfuzzer_sys::fuzz_target;
use vigil_reports::{Limits, parse_falco};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_document_bytes: 1 << 20,
        max_items: 100,
        max_string_bytes: 4_096,
        max_depth: 32,
    };
    let Ok(alerts) = parse_falco(data, &limits) else {
        return;
    };
    assert!(alerts.len() <= 100);
    let again = parse_falco(data, &limits).expect("reads again");
    for (a, b) in alerts.iter().zip(&again) {
        assert_eq!(a.uuid, b.uuid, "derived uuids are stable");
        assert_eq!(a.uuid.len(), 36);
        if let Some(d) = a.container_image_digest() {
            assert_eq!(d.len(), 71, "{d}");
        }
        let _ = (a.container_image(), a.k8s_namespace(), a.k8s_pod(), a.k8s_pod_labels());
        serde_json::to_vec(a).expect("an alert serializes");
    }
});
