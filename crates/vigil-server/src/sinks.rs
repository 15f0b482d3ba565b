//! Alert sinks: a signed JSON webhook, a Slack-compatible incoming webhook, Alertmanager.
