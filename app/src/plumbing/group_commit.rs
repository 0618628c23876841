//! Group commit: one task runs writes that arrive together in one transaction and answers
//! each caller only after that transaction has committed. On SQLite every commit is an
//! fsync and there is one writer, so a commit per request caps throughput at the disk's
//! fsync rate; a batch pays one fsync for all of its jobs. Nothing is batched on purpose —
//! a batch is whatever queued while the previous one committed — so a lone request is not
//! delayed.
use super::db;
use super::state::AppState;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

/// Jobs taken into one transaction at most.
const MAX_BATCH: usize = 256;

pub type JobFuture<'a, O> = Pin<Box<dyn Future<Output = Result<O, sqlx::Error>> + Send + 'a>>;

/// One write. A batch of jobs runs in one transaction, through `run_batch`; a job may be run
/// again on its own in a fresh transaction if another job of its batch failed, so it must only
/// touch the database through `tx`.
pub trait Job: Send + Sync + 'static {
    type Output: Send + Sync + 'static;

    /// Runs `jobs` (what queued together, in arrival order) in `tx`, one output per job in the
    /// same order. Statements the jobs share are cheaper once for the batch (a multi-row
    /// insert) than once per job: on PostgreSQL each statement is a round trip.
    fn run_batch<'a>(state: &'a AppState, tx: &'a mut db::Tx, jobs: &'a [&'a Self])
        -> JobFuture<'a, Vec<Self::Output>>;
}

type Reply<O> = oneshot::Sender<Result<O, sqlx::Error>>;

/// The handle callers submit jobs through.
pub struct GroupCommit<J: Job> {
    sender: mpsc::Sender<(J, Reply<J::Output>)>,
}

impl<J: Job> Clone for GroupCommit<J> {
    fn clone(&self) -> Self {
        GroupCommit { sender: self.sender.clone() }
    }
}

/// The other end, given to [`run`] once the state exists.
pub struct Queue<J: Job>(mpsc::Receiver<(J, Reply<J::Output>)>);

impl<J: Job> GroupCommit<J> {
    pub fn new() -> (Self, Queue<J>) {
        // Bounded: under overload callers wait here instead of growing memory.
        let (sender, receiver) = mpsc::channel(MAX_BATCH * 16);
        (GroupCommit { sender }, Queue(receiver))
    }

    /// Runs `job` and returns its output once it is committed.
    pub async fn submit(&self, job: J) -> Result<J::Output, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.sender.send((job, reply)).await.map_err(|_| sqlx::Error::PoolClosed)?;
        answer.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

/// The writer task: takes what has queued, runs it in one transaction, commits, answers.
pub async fn run<J: Job>(state: AppState, mut queue: Queue<J>) {
    let mut batch: Vec<(J, Reply<J::Output>)> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.0.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.0.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        super::metrics::batch("group_commit", batch.len());
        let jobs: Vec<&J> = batch.iter().map(|(job, _)| job).collect();
        match run_together(&state, &jobs).await {
            Ok(outputs) => {
                for ((_, reply), output) in batch.drain(..).zip(outputs) {
                    let _ = reply.send(Ok(output));
                }
            }
            Err(e) => {
                // One job (or the commit) failed: nothing of the batch is kept. Run each job
                // on its own so only the failing one answers with an error.
                if batch.len() > 1 {
                    tracing::warn!(error = %e, jobs = batch.len(), "batch failed; retrying its jobs one by one");
                }
                for (job, reply) in batch.drain(..) {
                    let result = run_together(&state, &[&job]).await.map(|mut o| o.remove(0));
                    let _ = reply.send(result);
                }
            }
        }
    }
}

/// The jobs in one transaction.
async fn run_together<J: Job>(state: &AppState, jobs: &[&J]) -> Result<Vec<J::Output>, sqlx::Error> {
    let (_turn, mut tx) = state.db.begin_write().await?;
    let outputs = J::run_batch(state, &mut tx, jobs).await?;
    debug_assert_eq!(outputs.len(), jobs.len());
    tx.commit().await?;
    Ok(outputs)
}
