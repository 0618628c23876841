//! Small read-through caches for the hot paths (the redirect's link lookup, the referral
//! form's campaign lookup). Entries live `ttl`; the instance that changes the data clears
//! its cache, other instances follow within `ttl`. Misses are cached too, and the map is
//! dropped whole when it grows past `max`, so scanning random keys cannot grow it unbounded.
use std::collections::HashMap;
use std::future::Future;
use std::sync::RwLock;
use std::time::{Duration, Instant};

pub struct TtlCache<V> {
    map: RwLock<HashMap<String, (Instant, V)>>,
    ttl: Duration,
    max: usize,
}

impl<V: Clone> TtlCache<V> {
    pub fn new(ttl: Duration, max: usize) -> Self {
        TtlCache { map: RwLock::new(HashMap::new()), ttl, max }
    }

    pub async fn get_or_load<E, F>(&self, key: &str, load: F) -> Result<V, E>
    where
        F: Future<Output = Result<V, E>>,
    {
        if let Ok(map) = self.map.read() {
            if let Some((at, value)) = map.get(key) {
                if at.elapsed() < self.ttl {
                    return Ok(value.clone());
                }
            }
        }
        let value = load.await?;
        if let Ok(mut map) = self.map.write() {
            if map.len() >= self.max {
                map.clear();
            }
            map.insert(key.to_string(), (Instant::now(), value.clone()));
        }
        Ok(value)
    }

    pub fn clear(&self) {
        if let Ok(mut map) = self.map.write() {
            map.clear();
        }
    }
}

/// The caches `AppState` carries.
pub struct Caches {
    /// Personal-link code → its target.
    pub links: TtlCache<Option<super::campaigns::LinkTarget>>,
    /// Campaign slug → the campaign.
    pub campaigns: TtlCache<Option<super::campaigns::Campaign>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            links: TtlCache::new(Duration::from_secs(30), 100_000),
            campaigns: TtlCache::new(Duration::from_secs(5), 1_000),
        }
    }
}

impl Caches {
    /// After a campaign changed: its slug, period or scope may differ now.
    pub fn campaign_changed(&self) {
        self.links.clear();
        self.campaigns.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn loads_once_within_ttl_and_again_after_clear() {
        let cache = TtlCache::new(Duration::from_secs(60), 2);
        let loads = std::sync::atomic::AtomicUsize::new(0);
        let load = |v: i64| {
            loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { Ok::<_, ()>(v) }
        };
        assert_eq!(cache.get_or_load("a", load(1)).await, Ok(1));
        assert_eq!(cache.get_or_load("a", load(2)).await, Ok(1), "cached");
        cache.clear();
        assert_eq!(cache.get_or_load("a", load(3)).await, Ok(3));
        // Past `max` entries the map starts over rather than growing.
        cache.get_or_load("b", load(4)).await.unwrap();
        cache.get_or_load("c", load(5)).await.unwrap();
        assert_eq!(cache.map.read().unwrap().len(), 1);
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 5);
    }
}
