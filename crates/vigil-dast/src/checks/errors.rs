//! Stack traces and framework debug pages in error responses (status 400 and up).
//!
//! A debug page is reported instead of the stack trace it shows: one finding, the worse
//! one, per URL.

use super::{plain_lines, strip_tags};
use crate::catalog::{DEBUG_PAGE, STACK_TRACE};
use crate::report::Observation;
use crate::response::Response;

/// Text only a framework's debug page contains, and the framework.
const DEBUG_MARKERS: &[(&str, &str)] = &[
    ("Werkzeug Debugger", "Werkzeug debugger"),
    (
        "The debugger caught an exception in your WSGI application",
        "Werkzeug debugger",
    ),
    ("DEBUG = True</code>", "Django debug page"),
    ("Action Controller: Exception caught", "Rails debug page"),
    (
        "Whoops! There was an error.",
        "Whoops (Laravel/PHP) debug page",
    ),
    ("window.ignite", "Laravel Ignition debug page"),
    ("sf-toolbar", "Symfony debug toolbar"),
    (
        "An unhandled exception occurred while processing the request.",
        "ASP.NET Core developer exception page",
    ),
];

/// Recognizes one line of a stack trace, naming the runtime.
fn stack_line(line: &str) -> Option<&'static str> {
    let at_frame = line.starts_with("at ");
    if line.starts_with("Traceback (most recent call last)") {
        Some("Python traceback")
    } else if (at_frame && (line.contains(".java:") || line.contains("(Native Method)")))
        || line.starts_with("Exception in thread \"")
    {
        Some("Java stack trace")
    } else if at_frame && line.contains(") in ") && line.contains(":line ") {
        Some(".NET stack trace")
    } else if line.starts_with("Server Error in '") && line.contains("Application") {
        Some("ASP.NET error page")
    } else if line.contains("Fatal error</b>:") || line.starts_with("PHP Fatal error:") {
        Some("PHP fatal error")
    } else if line.starts_with("#0 /") || line.starts_with("#0 [internal function]") {
        Some("PHP stack trace")
    } else if at_frame
        && [".js:", ".mjs:", ".cjs:", ".ts:", "node:internal"]
            .iter()
            .any(|p| line.contains(p))
    {
        Some("Node.js stack trace")
    } else if line.contains(".rb:") && (line.contains(":in `") || line.contains(":in '")) {
        Some("Ruby stack trace")
    } else if line.starts_with("goroutine ") && line.contains(" [running]:") {
        Some("Go panic")
    } else if line.starts_with("thread '") && line.contains("' panicked at ") {
        Some("Rust panic")
    } else {
        None
    }
}

/// A debug page or a stack trace in a response with status 400 or more.
pub(crate) fn errors(response: &Response) -> Vec<Observation> {
    if response.status < 400 {
        return Vec::new();
    }
    let text = response.text();
    if let Some((_, what)) = DEBUG_MARKERS.iter().find(|(m, _)| text.contains(m)) {
        return vec![Observation::new(
            &DEBUG_PAGE,
            &response.url,
            format!("{what} (HTTP {})", response.status),
        )];
    }
    plain_lines(&text)
        .find_map(|line| stack_line(line).map(|what| (what, line)))
        .map(|(what, line)| {
            Observation::new(
                &STACK_TRACE,
                &response.url,
                format!("{what}: {}", strip_tags(line)),
            )
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: u16, body: &str, expect: Option<(&str, &str)>) {
        let response = Response::get("http://h/x", status).with_body(body);
        let found: Vec<(&str, String)> = errors(&response)
            .into_iter()
            .map(|o| (o.check.id, o.evidence))
            .collect();
        let expect: Vec<(&str, String)> =
            expect.into_iter().map(|(a, b)| (a, b.to_owned())).collect();
        assert_eq!(found, expect, "{body}");
    }

    #[test]
    fn stack_traces_of_each_runtime() {
        check(
            500,
            "Traceback (most recent call last):\n  File \"app.py\", line 3",
            Some((
                "error-stack-trace",
                "Python traceback: Traceback (most recent call last):",
            )),
        );
        check(
            500,
            "java.lang.NullPointerException\n\tat com.acme.Cart.total(Cart.java:42)",
            Some((
                "error-stack-trace",
                "Java stack trace: at com.acme.Cart.total(Cart.java:42)",
            )),
        );
        check(
            500,
            "<pre>System.NullReferenceException\n   at Acme.Cart.Total() in C:\\src\\Cart.cs:line 42</pre>",
            Some((
                "error-stack-trace",
                ".NET stack trace: at Acme.Cart.Total() in C:\\src\\Cart.cs:line 42",
            )),
        );
        check(
            500,
            "<br />\n<b>Fatal error</b>:  Uncaught Error in /var/www/index.php:3",
            Some((
                "error-stack-trace",
                "PHP fatal error: Fatal error: Uncaught Error in /var/www/index.php:3",
            )),
        );
        check(
            500,
            "TypeError: x is undefined\n    at handler (/srv/app/server.js:10:5)",
            Some((
                "error-stack-trace",
                "Node.js stack trace: at handler (/srv/app/server.js:10:5)",
            )),
        );
        check(
            500,
            "app/models/cart.rb:12:in `total'",
            Some((
                "error-stack-trace",
                "Ruby stack trace: app/models/cart.rb:12:in `total'",
            )),
        );
        check(
            500,
            "panic: boom\n\ngoroutine 1 [running]:\nmain.main()",
            Some(("error-stack-trace", "Go panic: goroutine 1 [running]:")),
        );
        check(
            500,
            "thread 'tokio-runtime-worker' panicked at src/main.rs:4:5:",
            Some((
                "error-stack-trace",
                "Rust panic: thread 'tokio-runtime-worker' panicked at src/main.rs:4:5:",
            )),
        );
    }

    #[test]
    fn debug_pages_win_over_their_stack_traces() {
        check(
            500,
            "<title>ZeroDivisionError // Werkzeug Debugger</title>\nTraceback (most recent call last):",
            Some(("debug-page", "Werkzeug debugger (HTTP 500)")),
        );
        check(
            404,
            "<p>You're seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>",
            Some(("debug-page", "Django debug page (HTTP 404)")),
        );
    }

    #[test]
    fn generic_errors_and_successes_are_clean() {
        check(
            404,
            "<h1>Not Found</h1><p>The requested URL was not found on this server.</p>",
            None,
        );
        check(500, "<h1>Internal Server Error</h1>", None);
        // A page about stack traces is not an error page.
        check(200, "Traceback (most recent call last):", None);
        check(404, "<p>Meet us at the conference.</p>", None);
    }
}
