//! What an uploaded file is, read from its first bytes rather than from its
//! name or the type a browser claims: a PNG renamed `.jpg` is still a PNG,
//! and a page of HTML is refused whatever it is called.
//!
//! Images (PNG, JPEG, WebP), animated or still GIFs, and MP4 or QuickTime
//! videos go into a workspace's media library. Images carry their pixel size,
//! which networks want for the aspect ratio; videos are kept as they are.

use serde::{Deserialize, Serialize};

/// The largest file the media library takes.
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// The longest alt text kept: X's limit, the strictest of the networks
/// (Mastodon takes 1,500 characters, Bluesky 2,000).
pub const MAX_ALT_CHARS: usize = 1000;

/// The longest file name kept.
pub const MAX_NAME_CHARS: usize = 200;

/// What kind of media a file is, as networks tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A still image: PNG, JPEG or WebP.
    Image,
    /// A GIF, animated or not: networks that take images take GIFs, some play them.
    Gif,
    /// An MP4 or QuickTime video.
    Video,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Image => "image",
            MediaKind::Gif => "gif",
            MediaKind::Video => "video",
        }
    }

    /// Images and GIFs go where a network takes images.
    pub fn is_image(self) -> bool {
        matches!(self, MediaKind::Image | MediaKind::Gif)
    }
}

impl std::str::FromStr for MediaKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "image" => Ok(MediaKind::Image),
            "gif" => Ok(MediaKind::Gif),
            "video" => Ok(MediaKind::Video),
            other => Err(format!("unknown media kind {other:?}")),
        }
    }
}

/// A post's format, by what its first part shows, for comparing how formats do.
pub fn post_format(first: Option<MediaKind>, count: usize) -> &'static str {
    match (first, count) {
        (None, _) | (_, 0) => "Text only",
        (Some(MediaKind::Video), _) => "Video",
        (Some(MediaKind::Gif), 1) => "GIF",
        (Some(_), 1) => "Image",
        (Some(_), _) => "Several images",
    }
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: MediaKind,
    pub mime: &'static str,
    /// In pixels, for images; unknown for videos.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// Why a file cannot go into the media library.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; the media library takes files of at most {MAX_UPLOAD_BYTES} bytes (50 MB)")]
    TooBig { size: usize },
    #[error("not a file we can post: upload a PNG, JPEG, WebP or GIF image, or an MP4 or QuickTime video")]
    Unsupported,
    #[error("the {0} image is damaged: its size cannot be read")]
    Damaged(&'static str),
}

/// Reads what `data` is from its first bytes, and an image's size.
pub fn sniff(data: &[u8]) -> Result<Sniffed, MediaError> {
    if data.is_empty() {
        return Err(MediaError::Empty);
    }
    if data.len() > MAX_UPLOAD_BYTES {
        return Err(MediaError::TooBig { size: data.len() });
    }
    if let Some(mime) = video_mime(data) {
        return Ok(Sniffed { kind: MediaKind::Video, mime, width: None, height: None });
    }
    let (kind, mime) = match imagesize::image_type(data) {
        Ok(imagesize::ImageType::Png) => (MediaKind::Image, "image/png"),
        Ok(imagesize::ImageType::Jpeg) => (MediaKind::Image, "image/jpeg"),
        Ok(imagesize::ImageType::Webp) => (MediaKind::Image, "image/webp"),
        Ok(imagesize::ImageType::Gif) => (MediaKind::Gif, "image/gif"),
        _ => return Err(MediaError::Unsupported),
    };
    let size = imagesize::blob_size(data).map_err(|_| MediaError::Damaged(short_name(mime)))?;
    let (width, height) = (u32::try_from(size.width).ok(), u32::try_from(size.height).ok());
    if width.is_none_or(|w| w == 0) || height.is_none_or(|h| h == 0) {
        return Err(MediaError::Damaged(short_name(mime)));
    }
    Ok(Sniffed { kind, mime, width, height })
}

/// MP4 and QuickTime files start with a `ftyp` box: a 4-byte size, `ftyp`,
/// then the major brand (`qt  ` for QuickTime, `isom`, `mp42`… for MP4).
fn video_mime(data: &[u8]) -> Option<&'static str> {
    if data.len() < 12 || &data[4..8] != b"ftyp" {
        return None;
    }
    match &data[8..12] {
        b"qt  " => Some("video/quicktime"),
        brand if brand.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ') => Some("video/mp4"),
        _ => None,
    }
}

fn short_name(mime: &str) -> &'static str {
    match mime {
        "image/png" => "PNG",
        "image/jpeg" => "JPEG",
        "image/webp" => "WebP",
        _ => "GIF",
    }
}

/// A file name fit to keep and show: its last path component, without
/// control characters, at most [`MAX_NAME_CHARS`]; `fallback` when nothing is left.
pub fn clean_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(MAX_NAME_CHARS).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() { fallback.to_owned() } else { cleaned.to_owned() }
}

/// Alt text as kept: trimmed, or why it is refused.
pub fn clean_alt(alt: &str) -> Result<String, String> {
    let alt = alt.trim();
    let count = alt.chars().count();
    if count > MAX_ALT_CHARS {
        return Err(format!(
            "alt text is {count} characters; at most {MAX_ALT_CHARS} (X's limit, the strictest network)"
        ));
    }
    Ok(alt.to_owned())
}

/// A size in bytes as people read it: `820 KB`, `2.4 MB`.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{} KB", b.div_ceil(1000)),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid 1×1 PNG header (signature and IHDR), enough to read its size.
    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        data.extend(width.to_be_bytes());
        data.extend(height.to_be_bytes());
        data.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
        data
    }

    fn gif(width: u16, height: u16) -> Vec<u8> {
        let mut data = b"GIF89a".to_vec();
        data.extend(width.to_le_bytes());
        data.extend(height.to_le_bytes());
        data.extend([0, 0, 0]);
        data
    }

    #[test]
    fn images_are_known_by_their_bytes_with_their_size() {
        let sniffed = sniff(&png(1200, 675)).unwrap();
        assert_eq!(
            sniffed,
            Sniffed { kind: MediaKind::Image, mime: "image/png", width: Some(1200), height: Some(675) }
        );
        let sniffed = sniff(&gif(320, 240)).unwrap();
        assert_eq!(
            (sniffed.kind, sniffed.mime, sniffed.width, sniffed.height),
            (MediaKind::Gif, "image/gif", Some(320), Some(240))
        );
        assert!(sniffed.kind.is_image());
    }

    #[test]
    fn jpeg_and_webp_sizes_are_read() {
        // SOI, then a SOF0 segment: length 17, precision 8, height 480, width 640.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80];
        jpeg.extend([0; 12]);
        let sniffed = sniff(&jpeg).unwrap();
        assert_eq!((sniffed.mime, sniffed.width, sniffed.height), ("image/jpeg", Some(640), Some(480)));
        // RIFF….WEBPVP8X with a 24-bit width-1 and height-1.
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
        webp.extend([10, 0, 0, 0, 0, 0, 0, 0]);
        webp.extend([0x7F, 0x02, 0x00, 0xDF, 0x01, 0x00]);
        let sniffed = sniff(&webp).unwrap();
        assert_eq!((sniffed.mime, sniffed.width, sniffed.height), ("image/webp", Some(640), Some(480)));
    }

    #[test]
    fn videos_are_known_by_their_ftyp_box() {
        let mp4 = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41";
        assert_eq!(
            sniff(mp4).unwrap(),
            Sniffed { kind: MediaKind::Video, mime: "video/mp4", width: None, height: None }
        );
        let mov = b"\0\0\0\x14ftypqt  \0\0\x02\0qt  ";
        assert_eq!(sniff(mov).unwrap().mime, "video/quicktime");
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        assert_eq!(sniff(b""), Err(MediaError::Empty));
        assert_eq!(sniff(b"<!doctype html><title>x</title>"), Err(MediaError::Unsupported));
        assert_eq!(sniff(b"%PDF-1.7\n"), Err(MediaError::Unsupported));
        assert_eq!(sniff(&png(0, 10)), Err(MediaError::Damaged("PNG")));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0"), Err(MediaError::Damaged("PNG")), "cut short");
        let big = vec![0; MAX_UPLOAD_BYTES + 1];
        assert_eq!(sniff(&big), Err(MediaError::TooBig { size: MAX_UPLOAD_BYTES + 1 }));
        assert!(MediaError::Unsupported.to_string().contains("PNG, JPEG, WebP or GIF"));
    }

    #[test]
    fn names_and_alt_texts_are_cleaned() {
        assert_eq!(clean_name("C:\\Users\\ana\\launch day.png", "upload"), "launch day.png");
        assert_eq!(clean_name("../../etc/passwd", "upload"), "passwd");
        assert_eq!(clean_name("a\u{0}b\nc.jpg", "upload"), "abc.jpg");
        assert_eq!(clean_name("  ", "upload"), "upload");
        assert_eq!(clean_alt("  A latte on a wooden table  "), Ok("A latte on a wooden table".to_owned()));
        let long = "é".repeat(MAX_ALT_CHARS + 1);
        assert!(clean_alt(&long).unwrap_err().contains("1001 characters"));
        assert!(clean_alt(&"é".repeat(MAX_ALT_CHARS)).is_ok());
    }

    #[test]
    fn posts_are_grouped_by_what_they_show() {
        assert_eq!(post_format(None, 0), "Text only");
        assert_eq!(post_format(Some(MediaKind::Image), 1), "Image");
        assert_eq!(post_format(Some(MediaKind::Image), 3), "Several images");
        assert_eq!(post_format(Some(MediaKind::Gif), 1), "GIF");
        assert_eq!(post_format(Some(MediaKind::Video), 1), "Video");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(819_400), "820 KB");
        assert_eq!(human_bytes(2_400_000), "2.4 MB");
    }
}
