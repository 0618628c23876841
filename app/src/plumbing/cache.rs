//! Read-through caches for the hot paths (the redirect's link lookup, the referral form's
//! campaign lookup): bounded, with a time to live, keeping what is asked for often. A scan of
//! random keys does not evict the popular ones (quick_cache's S3-FIFO policy), concurrent misses
//! of one key load it once, and misses are cached too. The instance that changes the data
//! clears its cache; other instances follow within the time to live.
use std::future::Future;
use std::hash::Hash;
use std::time::{Duration, Instant};

pub struct TtlCache<K, V> {
    /// Each value with the moment it was loaded.
    inner: quick_cache::sync::Cache<K, (Instant, V)>,
    ttl: Duration,
}

impl<K, V> TtlCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub fn new(ttl: Duration, max: u64) -> Self {
        TtlCache { inner: quick_cache::sync::Cache::new(max as usize), ttl }
    }

    /// The cached value of `key`, or what `load` gives (then cached). A hit takes one shard's
    /// read lock and allocates nothing; the redirect does two per click.
    pub async fn get_or_load<Q, E, F>(&self, key: &Q, load: F) -> Result<V, E>
    where
        Q: quick_cache::Equivalent<K> + ToOwned<Owned = K> + Hash + ?Sized,
        F: Future<Output = Result<V, E>>,
    {
        loop {
            match self.inner.get_value_or_guard_async(key).await {
                Ok((at, value)) if at.elapsed() < self.ttl => return Ok(value),
                // Expired: dropped (unless another task already reloaded it), then loaded anew.
                Ok(_) => {
                    self.inner.remove_if(key, |(at, _)| at.elapsed() >= self.ttl);
                }
                Err(guard) => {
                    // A failed load is not cached: the guard goes, and a waiter loads next.
                    let value = load.await?;
                    let _ = guard.insert((Instant::now(), value.clone()));
                    return Ok(value);
                }
            }
        }
    }

    pub fn clear(&self) {
        self.inner.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn loads_once_within_ttl_and_again_after_clear() {
        let cache = TtlCache::new(Duration::from_secs(60), 100);
        let loads = AtomicUsize::new(0);
        let load = |v: i64| {
            loads.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<_, ()>(v) }
        };
        assert_eq!(cache.get_or_load(&"a", load(1)).await, Ok(1));
        assert_eq!(cache.get_or_load(&"a", load(2)).await, Ok(1), "cached");
        cache.clear();
        assert_eq!(cache.get_or_load(&"a", load(3)).await, Ok(3));
        assert_eq!(loads.load(Ordering::SeqCst), 3);
        let failed: Result<i64, &str> = cache.get_or_load(&"b", async { Err("down") }).await;
        assert_eq!(failed, Err("down"), "errors are not cached");
    }

    /// A scan of random personal-link codes (each asked for once) must not evict the links
    /// people actually share, which keep being asked for meanwhile.
    #[tokio::test]
    async fn a_scan_of_random_keys_keeps_the_popular_ones() {
        let cache: TtlCache<String, i64> = TtlCache::new(Duration::from_secs(60), 100);
        let misses = AtomicUsize::new(0);
        let popular: Vec<String> = (0..20).map(|i| format!("popular{i}")).collect();
        let ask = |key: String, counted: bool| {
            let misses = &misses;
            let cache = &cache;
            async move {
                cache
                    .get_or_load(key.as_str(), async {
                        if counted {
                            misses.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok::<_, ()>(1)
                    })
                    .await
                    .unwrap()
            }
        };
        // In service: the cache is full, the popular links asked for again and again.
        for i in 0..100 {
            ask(format!("earlier{i}"), false).await;
        }
        for _ in 0..20 {
            for key in &popular {
                ask(key.clone(), false).await;
            }
        }
        // A scan of 10,000 random codes, five times the cache, while people keep clicking.
        let mut asked = 0;
        for i in 0..10_000 {
            ask(format!("scan{i}"), false).await;
            if i % 50 == 0 {
                for key in &popular {
                    ask(key.clone(), true).await;
                    asked += 1;
                }
            }
        }
        let missed = misses.load(Ordering::SeqCst);
        assert!(missed * 100 <= asked, "{missed} of {asked} asks for popular links missed the cache");
    }
}
