use socialdesk_store::StoreError;
use thiserror::Error;

/// A problem with one field of the input, named by its path (`email`,
/// `members/0/role`) so that forms and API clients can point at it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

/// Why a service refused or failed, in the users' words. The web layer maps
/// each variant to one HTTP status and a stable problem type.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("some fields are not valid")]
    Invalid(Vec<FieldError>),
    /// Not there, or not yours: the two are never told apart.
    #[error("not found")]
    NotFound,
    #[error("sign in first")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{message}")]
    Conflict { field: &'static str, message: String },
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] InternalError),
}

/// Failures nobody outside can fix; logged, never shown in detail.
#[derive(Debug, Error)]
pub enum InternalError {
    #[error(transparent)]
    Store(StoreError),
    #[error("{0}")]
    Other(String),
}

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(message: impl Into<String>) -> AppError {
        AppError::Internal(InternalError::Other(message.into()))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::LastOwner => AppError::Conflict {
                field: "role",
                message: "a workspace must keep at least one owner: make someone else owner first".into(),
            },
            StoreError::Conflict("email") => AppError::Conflict {
                field: "email",
                message: "an account with this email already exists; sign in instead".into(),
            },
            other => AppError::Internal(InternalError::Store(other)),
        }
    }
}

/// Collects field errors from several parses, so a form shows every mistake at once.
#[derive(Debug, Default)]
pub(crate) struct Fields(Vec<FieldError>);

impl Fields {
    pub(crate) fn check<T, E: ToString>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(FieldError::new(field, e.to_string()));
                None
            }
        }
    }

    pub(crate) fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    pub(crate) fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.0)) }
    }
}
