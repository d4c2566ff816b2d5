//! The report of a crawl: items and pages per capability, duplicates, dangling
//! association ids, errors with their codes, and time per page; as text for the terminal
//! and as JSON for `--report`.

use std::fmt::Write as _;

use serde::Serialize;

/// How many example ids a report lists for duplicates and dangling associations.
pub(crate) const EXAMPLES: usize = 20;

/// What a crawl found.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Report {
    /// The connector's app id.
    pub(crate) app_id: String,
    /// One entry per list capability crawled, in the order crawled.
    pub(crate) capabilities: Vec<CapabilityReport>,
    /// List capabilities not crawled: their request needs fields a crawl cannot invent.
    pub(crate) skipped: Vec<Skipped>,
    /// Associations whose account or entitlement was never listed.
    pub(crate) dangling: Dangling,
    /// Every error a page answered with.
    pub(crate) errors: Vec<CrawlError>,
    /// The whole crawl's duration.
    pub(crate) elapsed_ms: u64,
}

/// What one list capability answered.
#[derive(Debug, Default, Serialize)]
pub(crate) struct CapabilityReport {
    /// The capability's name.
    pub(crate) capability: String,
    /// Whether it was walked to its last page without an error.
    pub(crate) complete: bool,
    /// Items listed, duplicates included.
    pub(crate) items: u64,
    /// Pages fetched (an error's page included).
    pub(crate) pages: u64,
    /// The fields an item is identified by (its schema's `x-unique-hash`).
    pub(crate) identity: Vec<String>,
    /// How many items repeated one listed before.
    pub(crate) duplicates: u64,
    /// Some of the repeated identities.
    pub(crate) duplicate_examples: Vec<String>,
    /// Milliseconds each page took, in order.
    pub(crate) page_ms: Vec<u64>,
}

/// Associations pointing at accounts or entitlements the crawl never listed (checked only
/// when `list_accounts`, resp. `list_entitlements`, was walked completely).
#[derive(Debug, Default, Serialize)]
pub(crate) struct Dangling {
    /// Associations whose `account_id` no listed account has.
    pub(crate) account_ids: u64,
    /// Some of those account ids.
    pub(crate) account_examples: Vec<String>,
    /// Associations whose entitlement (id and resource id) no listed entitlement has.
    pub(crate) entitlement_ids: u64,
    /// Some of those entitlement ids.
    pub(crate) entitlement_examples: Vec<String>,
}

/// A list capability a crawl skipped.
#[derive(Debug, Serialize)]
pub(crate) struct Skipped {
    /// The capability.
    pub(crate) capability: String,
    /// The request fields it requires.
    pub(crate) needs: Vec<String>,
}

/// An error one page answered with.
#[derive(Debug, Serialize)]
pub(crate) struct CrawlError {
    /// The capability.
    pub(crate) capability: String,
    /// The page (1 for the first).
    pub(crate) page: u64,
    /// The error code of the envelope (`not_found`, `rate_limit`, …).
    pub(crate) code: String,
    /// Its message.
    pub(crate) message: String,
}

impl Report {
    /// The report as text lines for the terminal.
    pub(crate) fn render(&self) -> String {
        let mut out = format!("crawl of {} ({} ms)\n", self.app_id, self.elapsed_ms);
        for cap in &self.capabilities {
            let (mean, max) = page_times(&cap.page_ms);
            let _ = writeln!(
                out,
                "  {:<44} {:>8} items {:>6} pages {:>6} duplicates  page ms: mean {mean} max {max}{}",
                cap.capability,
                cap.items,
                cap.pages,
                cap.duplicates,
                if cap.complete { "" } else { "  (incomplete)" },
            );
            if !cap.duplicate_examples.is_empty() {
                let _ = writeln!(out, "    repeated: {}", cap.duplicate_examples.join(", "));
            }
        }
        for skipped in &self.skipped {
            let _ = writeln!(
                out,
                "  {:<44} skipped: its request needs {}",
                skipped.capability,
                skipped.needs.join(", ")
            );
        }
        let dangling = &self.dangling;
        let _ = writeln!(
            out,
            "  dangling association ids: {} accounts, {} entitlements",
            dangling.account_ids, dangling.entitlement_ids
        );
        for (what, examples) in [
            ("account", &dangling.account_examples),
            ("entitlement", &dangling.entitlement_examples),
        ] {
            if !examples.is_empty() {
                let _ = writeln!(out, "    {what} ids never listed: {}", examples.join(", "));
            }
        }
        let _ = writeln!(out, "  errors: {}", self.errors.len());
        for error in &self.errors {
            let _ = writeln!(
                out,
                "    {} page {}: {}: {}",
                error.capability, error.page, error.code, error.message
            );
        }
        out
    }
}

/// The mean and the longest of the page times.
fn page_times(page_ms: &[u64]) -> (u64, u64) {
    let max = page_ms.iter().copied().max().unwrap_or(0);
    let count = u64::try_from(page_ms.len()).unwrap_or(u64::MAX).max(1);
    (page_ms.iter().sum::<u64>() / count, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_report_names_counts_and_errors() {
        let report = Report {
            app_id: "demo".to_owned(),
            capabilities: vec![CapabilityReport {
                capability: "list_accounts".to_owned(),
                items: 3,
                pages: 2,
                duplicates: 1,
                duplicate_examples: vec!["u1".to_owned()],
                page_ms: vec![10, 30],
                ..CapabilityReport::default()
            }],
            errors: vec![CrawlError {
                capability: "list_entitlements".to_owned(),
                page: 1,
                code: "not_found".to_owned(),
                message: "Not Found".to_owned(),
            }],
            ..Report::default()
        };
        let text = report.render();
        assert!(text.contains("list_accounts"), "{text}");
        assert!(text.contains("mean 20 max 30  (incomplete)"), "{text}");
        assert!(text.contains("repeated: u1"), "{text}");
        assert!(
            text.contains("list_entitlements page 1: not_found: Not Found"),
            "{text}"
        );
    }
}
