//! Report email over SMTP (lettre, rustls), plugged into the app's `SendMail`.

use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use socialdesk_app::SendMail;

/// Sends through one SMTP server.
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Smtp {
    /// `smtps://USER:PASS@HOST` (TLS), `smtp://USER:PASS@HOST:587?tls=required` (STARTTLS), or plain `smtp://HOST:PORT`.
    pub fn from_url(url: &str) -> anyhow::Result<Smtp> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?
            .build();
        Ok(Smtp { transport })
    }
}

#[async_trait::async_trait]
impl SendMail for Smtp {
    async fn send(
        &self,
        from: &str,
        to: &[String],
        subject: &str,
        html: &str,
        attachments: &[socialdesk_app::Attachment],
    ) -> Result<(), String> {
        let mut message = Message::builder().from(from.parse().map_err(|e| format!("sender {from:?}: {e}"))?);
        for recipient in to {
            message = message.to(recipient.parse().map_err(|e| format!("recipient {recipient:?}: {e}"))?);
        }
        let text = if attachments.is_empty() {
            format!("{subject}\n\nThis report is an HTML page; open this email in a client that shows HTML.")
        } else {
            format!("{subject}\n\nThis report is an HTML page, and the attached PDF.")
        };
        let body = MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(text))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(html.to_owned()));
        let message = if attachments.is_empty() {
            message.subject(subject).multipart(body)
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for file in attachments {
                let kind = ContentType::parse(&file.mime).map_err(|e| format!("{}: {e}", file.name))?;
                mixed = mixed.singlepart(Attachment::new(file.name.clone()).body(file.data.clone(), kind));
            }
            message.subject(subject).multipart(mixed)
        }
        .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;

    /// A minimal SMTP server that accepts one message and returns its envelope and data.
    async fn one_message(listener: tokio::net::TcpListener) -> (Vec<String>, String) {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 fake.example ESMTP\r\n").await.unwrap();
        let mut envelope = Vec::new();
        let mut data = String::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            let upper = line.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                write.write_all(b"250-fake.example\r\n250 8BITMIME\r\n").await.unwrap();
            } else if upper.starts_with("MAIL FROM") || upper.starts_with("RCPT TO") {
                envelope.push(line.clone());
                write.write_all(b"250 OK\r\n").await.unwrap();
            } else if upper == "DATA" {
                write.write_all(b"354 go ahead\r\n").await.unwrap();
                while let Some(body) = lines.next_line().await.unwrap() {
                    if body == "." {
                        break;
                    }
                    data.push_str(&body);
                    data.push('\n');
                }
                write.write_all(b"250 queued\r\n").await.unwrap();
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else {
                write.write_all(b"250 OK\r\n").await.unwrap();
            }
        }
        (envelope, data)
    }

    #[tokio::test]
    async fn a_report_is_sent_as_html_with_a_text_fallback_and_its_pdf() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(one_message(listener));
        let smtp = Smtp::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        let to = ["boss@example.com".to_owned(), "client@example.com".to_owned()];
        let pdf = socialdesk_app::Attachment {
            name: "socialdesk-acme-2026-10-report.pdf".into(),
            mime: "application/pdf".into(),
            data: b"%PDF-1.7 \xe2\xe3\xcf\xd3 report".to_vec(),
        };
        smtp.send("Reports <reports@example.com>", &to, "Acme — October 2026", "<h1>Acme — October 2026</h1>", &[pdf])
            .await
            .unwrap();
        let (envelope, data) = server.await.unwrap();
        assert_eq!(
            envelope,
            ["MAIL FROM:<reports@example.com>", "RCPT TO:<boss@example.com>", "RCPT TO:<client@example.com>"]
        );
        assert!(data.contains("Content-Type: text/html"), "{data}");
        assert!(data.contains("Content-Type: text/plain"), "{data}");
        assert!(data.contains("Subject: =?utf-8?") || data.contains("Subject: Acme"), "{data}");
        assert!(data.contains("Content-Type: multipart/mixed"), "{data}");
        assert!(data.contains("Content-Type: application/pdf"), "{data}");
        assert!(data.contains("attachment;") && data.contains("\"socialdesk-acme-2026-10-report.pdf\""), "{data}");
        assert!(data.contains("JVBERi0xLjcg4uPP0yByZXBvcnQ="), "the PDF's bytes, base64: {data}");
    }

    #[tokio::test]
    async fn a_refusal_comes_back_as_an_error() {
        let smtp = Smtp::from_url("smtp://127.0.0.1:9").unwrap();
        let err =
            smtp.send("reports@example.com", &["a@example.com".to_owned()], "x", "<p>x</p>", &[]).await.unwrap_err();
        assert!(!err.is_empty());
        assert!(Smtp::from_url("ftp://nope").is_err());
    }
}
