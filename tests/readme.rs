//! The README's parameter table is the page's: each key, default and limit as in FIELDS.
#![cfg(not(target_arch = "wasm32"))]

use ayla::config::{Access, FIELDS};

fn number(cell: &str) -> f64 {
    cell.trim()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {cell:?}"))
}

#[test]
fn readme_parameter_table_matches_the_field_specs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for spec in FIELDS {
        let key = format!("| `{}` |", spec.key);
        let row = readme
            .lines()
            .find(|l| l.contains(&key))
            .unwrap_or_else(|| panic!("no README row for {}", spec.key));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | label | key | default | limits |
        if !spec.choices.is_empty() {
            // A choice: its default by name, and every option listed in order.
            assert_eq!(cells[3], spec.choices[spec.default as usize].name, "{row}");
            let listed: Vec<&str> = cells[4]
                .split(", ")
                .map(|option| option.split([' ', '(']).next().unwrap())
                .collect();
            let names: Vec<&str> = spec.choices.iter().map(|c| c.name).collect();
            assert_eq!(listed, names, "{row}");
            continue;
        }
        assert_eq!(number(cells[3]), spec.default, "{row}");
        let limits = cells[4];
        let max = format!("{}", spec.max as u64);
        let grouped: String = max
            .as_bytes()
            .rchunks(3)
            .rev()
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(",");
        assert!(limits.contains(&grouped), "{row}: max {grouped}");
        let low = if spec.min_exclusive {
            "above 0".to_string()
        } else {
            format!("{} to", spec.min)
        };
        assert!(limits.starts_with(&low), "{row}: {low}");
        if let Access::List {
            max_items, items, ..
        } = spec.access
        {
            let most = format!("each, at most {max_items} {items}");
            assert!(limits.ends_with(&most), "{row}: {most}");
        }
    }
}
