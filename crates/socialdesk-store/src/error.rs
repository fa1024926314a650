use thiserror::Error;

/// What went wrong in storage, in terms the layers above can act on.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No row matched (or it belongs to another workspace, which is the same
    /// thing to the caller).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; names what was taken, such as `email`.
    #[error("{0} is already taken")]
    Conflict(&'static str),
    /// The change would leave a workspace without an owner.
    #[error("a workspace must keep at least one owner")]
    LastOwner,
    /// A stored value no longer parses: data written by something else.
    #[error("corrupt row in {table}: {message}")]
    Corrupt { table: &'static str, message: String },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
}

impl StoreError {
    /// Turns a unique violation into [`StoreError::Conflict`] naming `what`.
    pub(crate) fn unique(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Database(e),
        }
    }

    /// `Ok` when a statement changed a row, `NotFound` when it changed none
    /// (no such row, or not in this workspace).
    pub(crate) fn found(rows: u64) -> Result<(), StoreError> {
        if rows == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub(crate) fn corrupt(table: &'static str, message: impl ToString) -> StoreError {
        StoreError::Corrupt { table, message: message.to_string() }
    }
}
