//! The bundled product catalog: Microsoft SKUs by NCE product id, Graph sku id, part number,
//! display name and common shorthand, so `CFQ7TTC0LCHC:0002`, `SPB`, "M365 BP" and
//! "Microsoft 365 Business Premium" are recognised as one product.

use crate::domain::lines::Product;
use crate::domain::normalize::normalize_product;
use std::collections::HashMap;
use std::sync::OnceLock;

const PRODUCTS_CSV: &str = include_str!("../../../assets/catalog/products.csv");

/// One product the catalog knows. Ids are `None` where they were not certain enough to ship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    /// Product family ("Microsoft 365", "Exchange", "Defender").
    pub family: String,
    /// Partner Center NCE `ProductId` (`CFQ7TTC0LCHC`), without the SKU part.
    pub nce_product_id: Option<String>,
    /// Microsoft Graph `skuId` GUID, lower case.
    pub sku_id: Option<String>,
    /// Microsoft Graph `skuPartNumber` (`SPB`, `ENTERPRISEPACK`).
    pub part_number: Option<String>,
    /// The marketing name.
    pub display_name: String,
    /// Shorthand and former names ("M365 BP", "Office 365 Business Premium").
    pub aliases: Vec<String>,
}

struct Catalog {
    products: Vec<CatalogProduct>,
    by_name: HashMap<String, Vec<usize>>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let products: Vec<CatalogProduct> = PRODUCTS_CSV
            .lines()
            .skip(1)
            .filter_map(parse_line)
            .collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, product) in products.iter().enumerate() {
            let names = std::iter::once(&product.display_name).chain(&product.aliases);
            for name in names {
                for form in name_forms(name) {
                    let entries = by_name.entry(form).or_default();
                    if !entries.contains(&position) {
                        entries.push(position);
                    }
                }
            }
        }
        Catalog { products, by_name }
    })
}

fn parse_line(line: &str) -> Option<CatalogProduct> {
    let fields: Vec<&str> = line.split(',').map(str::trim).collect();
    let [family, nce, sku, part, display, aliases] = fields.as_slice() else {
        return None;
    };
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    Some(CatalogProduct {
        family: family.to_string(),
        nce_product_id: optional(nce).map(|id| id.to_uppercase()),
        sku_id: optional(sku).map(|id| id.to_lowercase()),
        part_number: optional(part).map(|id| id.to_uppercase()),
        display_name: display.to_string(),
        aliases: aliases
            .split('|')
            .filter(|alias| !alias.trim().is_empty())
            .map(|alias| alias.trim().to_string())
            .collect(),
    })
}

/// The normalised forms a name is known by: as written, and without a leading "microsoft"
/// (vendors and PSAs drop it freely).
fn name_forms(name: &str) -> Vec<String> {
    let tokens = normalize_product(name).name.tokens;
    let mut forms = vec![tokens.join(" ")];
    if tokens.len() > 1 && tokens[0] == "microsoft" {
        forms.push(tokens[1..].join(" "));
    }
    forms
}

/// Every catalog product, in file order.
pub fn catalog_products() -> &'static [CatalogProduct] {
    &catalog().products
}

/// The catalog product a vendor or PSA product is, and how it was recognised ("NCE product
/// id", "part number", "sku id", "name", "product id"). `None` when nothing matches or when
/// the match is ambiguous ("E3" is both Office 365 E3 and Microsoft 365 E3).
pub fn find_in_catalog(product: &Product) -> Option<(&'static CatalogProduct, &'static str)> {
    let catalog = catalog();
    let key = product.key.trim();
    let product_id = key.split(':').next().unwrap_or("").to_uppercase();
    let found = |predicate: &dyn Fn(&CatalogProduct) -> bool| {
        let mut hits = catalog.products.iter().filter(|entry| predicate(entry));
        match (hits.next(), hits.next()) {
            (Some(hit), None) => Some(hit),
            _ => None,
        }
    };
    if let Some(hit) = found(&|entry| entry.nce_product_id.as_deref() == Some(&product_id)) {
        return Some((hit, "NCE product id"));
    }
    for text in [key, product.name.trim()] {
        let lower = text.to_lowercase();
        if let Some(hit) = found(&|entry| entry.sku_id.as_deref() == Some(&lower)) {
            return Some((hit, "sku id"));
        }
        let upper = text.to_uppercase();
        if let Some(hit) = found(&|entry| entry.part_number.as_deref() == Some(&upper)) {
            return Some((hit, "part number"));
        }
    }
    let by_name = |text: &str| -> Option<&'static CatalogProduct> {
        match catalog.by_name.get(text).map(Vec::as_slice) {
            Some([single]) => catalog.products.get(*single),
            _ => None,
        }
    };
    for form in name_forms(&product.name) {
        if let Some(hit) = by_name(&form) {
            return Some((hit, "name"));
        }
    }
    // PSA product ids are often shorthand with a term letter: "M365-BP-M", "O365-E3-A".
    let spaced = key.replace(['-', '_', '.', '/'], " ");
    let mut tokens = normalize_product(&spaced).name.tokens;
    if tokens.len() > 1 && tokens.last().is_some_and(|last| last.len() == 1) {
        tokens.pop();
    }
    let key_text = tokens.join(" ");
    let without_microsoft = key_text.strip_prefix("microsoft ").unwrap_or(&key_text);
    by_name(&key_text)
        .or_else(|| by_name(without_microsoft))
        .map(|hit| (hit, "product id"))
}

/// The normalised tokens of a catalog product's display name, used as the product's name
/// when scoring so every alias meets every other.
pub(crate) fn canonical_tokens(product: &CatalogProduct) -> Vec<String> {
    normalize_product(&product.display_name).name.tokens
}
