//! The mapping queues with their candidates, and the explicit auto-accept of the safe band.

use super::matcher::Candidate;
use super::workspace::{WorkflowError, Workspace};
use crate::domain::decision::Decision;
use crate::domain::holdings::{PartyRow, ProductRow};
use crate::domain::lines::SourceKey;
use crate::domain::matching::{Band, Suggestion, auto_acceptable};
use crate::store::Origin;

/// A vendor customer in the mapping queue with its ranked PSA companies.
#[derive(Debug, Clone)]
pub struct ClientSuggestions {
    /// The vendor customer, with seats and spend.
    pub customer: PartyRow,
    /// Candidates, best first; rejected pairs never appear.
    pub candidates: Vec<Candidate>,
}

/// A vendor product (per term) in the mapping queue with its ranked PSA products.
#[derive(Debug, Clone)]
pub struct ProductSuggestions {
    /// The vendor product, with seats and spend.
    pub product: ProductRow,
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
}

/// Both mapping queues: what is neither mapped nor ignored, largest spend first, with ranked
/// candidates.
#[derive(Debug, Clone)]
pub struct MappingQueue {
    /// Vendor customers awaiting a PSA company.
    pub clients: Vec<ClientSuggestions>,
    /// Vendor products (per term) awaiting a PSA product.
    pub products: Vec<ProductSuggestions>,
}

impl Workspace {
    /// Both mapping queues, each entry with up to `top` candidates, from one matcher index.
    pub fn mapping_queue(&mut self, top: usize) -> Result<MappingQueue, WorkflowError> {
        let session = self.session()?;
        let unmapped_customers: Vec<PartyRow> = session
            .vendor_parties
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .cloned()
            .collect();
        let unmapped_products: Vec<ProductRow> = session
            .vendor_products
            .iter()
            .filter(|row| row.mapped_to.is_none() && row.ignored.is_none())
            .cloned()
            .collect();
        let suggester = self.suggester()?;
        let clients = unmapped_customers
            .into_iter()
            .map(|customer| ClientSuggestions {
                candidates: suggester.for_customer(&customer.key, &customer.party, top),
                customer,
            })
            .collect();
        let products = unmapped_products
            .into_iter()
            .map(|product| ProductSuggestions {
                candidates: suggester.for_product(
                    &product.key,
                    &product.product,
                    product.term,
                    top,
                ),
                product,
            })
            .collect();
        Ok(MappingQueue { clients, products })
    }

    /// Accepts the best candidate of every queue entry whose best is in the high band, at
    /// least `accept_above`, and clearly ahead of the runner-up; logs each as an automatic
    /// decision. Never called unless the operator asks for it.
    pub fn accept_safe_band(&mut self, accept_above: u8) -> Result<AcceptOutcome, WorkflowError> {
        let mut outcome = AcceptOutcome::default();
        let mut decisions = Vec::new();
        let queue = self.mapping_queue(3)?;
        for entry in queue.clients {
            let decision =
                accept(&entry.candidates, accept_above).map(|company| Decision::MapClient {
                    vendor: entry.customer.key.clone(),
                    company,
                });
            tally(&mut outcome, &mut decisions, &entry.candidates, decision);
        }
        let client_decisions = decisions.len();
        for entry in queue.products {
            let decision =
                accept(&entry.candidates, accept_above).map(|product| Decision::MapProduct {
                    vendor: entry.product.key.clone(),
                    term: Some(entry.product.term),
                    product,
                });
            tally(&mut outcome, &mut decisions, &entry.candidates, decision);
        }
        let applied = self.decide_each(&decisions, Origin::Automatic)?;
        let (clients, products) = applied.split_at(client_decisions.min(applied.len()));
        let count = |flags: &[bool]| flags.iter().filter(|applied| **applied).count();
        outcome.clients_accepted = count(clients);
        outcome.products_accepted = count(products);
        outcome.decided_meanwhile = applied.len() - count(&applied);
        Ok(outcome)
    }
}

/// What an auto-accept did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AcceptOutcome {
    /// Client mappings accepted automatically.
    pub clients_accepted: usize,
    /// Product mappings accepted automatically.
    pub products_accepted: usize,
    /// Queue entries with a suggestion in the review band (or a high one too close to the
    /// runner-up), left for the operator.
    pub awaiting_review: usize,
    /// Queue entries with no suggestion at all.
    pub without_suggestion: usize,
    /// Suggestions not applied because their key was decided (by hand, or by another run)
    /// after the queue was read: a manual decision is never overwritten.
    pub decided_meanwhile: usize,
}

/// Counts a queue entry: accepted, waiting for the operator, or without any suggestion.
fn tally(
    outcome: &mut AcceptOutcome,
    decisions: &mut Vec<Decision>,
    candidates: &[Candidate],
    decision: Option<Decision>,
) {
    match decision {
        Some(decision) => decisions.push(decision),
        None if candidates
            .first()
            .is_some_and(|best| best.suggestion.band != Band::None) =>
        {
            outcome.awaiting_review += 1
        }
        None => outcome.without_suggestion += 1,
    }
}

/// The best candidate's key when the matcher's safe-band rule accepts it at `accept_above`:
/// the one rule behind `match --accept-above`, the workbench's bulk accept and the demo.
fn accept(candidates: &[Candidate], accept_above: u8) -> Option<SourceKey> {
    let suggestions: Vec<Suggestion> = candidates
        .iter()
        .map(|candidate| candidate.suggestion.clone())
        .collect();
    auto_acceptable(&suggestions, accept_above).map(|best| best.candidate_key.clone())
}
