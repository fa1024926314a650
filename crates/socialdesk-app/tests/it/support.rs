//! What several tests receive from the app: email and webhook calls.

use std::sync::{Arc, Mutex};

/// Keeps the emails it is asked to send: (to, subject, html).
#[derive(Default)]
pub struct Outbox(pub Mutex<Vec<(Vec<String>, String, String)>>, pub Mutex<Vec<socialdesk_app::Attachment>>);

#[async_trait::async_trait]
impl socialdesk_app::SendMail for Outbox {
    async fn send(
        &self,
        _from: &str,
        to: &[String],
        subject: &str,
        html: &str,
        attachments: &[socialdesk_app::Attachment],
    ) -> Result<(), String> {
        self.0.lock().unwrap().push((to.to_vec(), subject.to_owned(), html.to_owned()));
        self.1.lock().unwrap().extend_from_slice(attachments);
        Ok(())
    }
}

/// What a webhook receiver was sent: each request's headers and body.
pub type Received = Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>;

/// A webhook receiver on this machine: its URL, and what it receives.
pub async fn webhook_receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let keep = received.clone();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push((headers, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });
    (url, received)
}
