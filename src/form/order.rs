//! The decision order of SPEC §4.3, for every form: county code (rows of no county last), file,
//! sheet order, row. The first occurrence of a duplicate in this order is the one decided
//! normally, so the order is part of the rules: `run`, `staff` and `check` all put rows in it
//! here.
//!
//! Files are taken in the order they are given, which must be the order of their paths: the
//! runs read their files sorted by relative path ([`crate::ingest::discover`]); check sorts the
//! files it is given by path, so a check of a folder orders rows as the run of that folder.

use std::collections::BTreeMap;

use super::FormRow;

fn county_of<R: FormRow>(r: &R) -> Option<&str> {
    r.owner().map(|c| c.as_str())
}

/// Every file's rows (one list per file, in file order) as one list in decision order. A
/// file's rows come back in sheet and row order and nearly always all of one county, so whole
/// files are put in order and appended: each row moves once, and the province-sized list is
/// never permuted. A file that mixes counties (or rows out of order) sends the whole list
/// through the general ordering instead; both give the same order.
pub fn gather_in_decision_order<R: FormRow>(mut per_file: Vec<Vec<R>>) -> Vec<R> {
    let total = per_file.iter().map(Vec::len).sum();
    // (no county, county, file): the order whole files go in.
    type FileKey<'a> = (bool, Option<&'a str>, usize);
    let whole: Option<Vec<FileKey>> = per_file
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.first().map(|first| (i, v, first)))
        .map(|(i, v, first)| {
            let county = county_of(first);
            let uniform = v.iter().all(|c| county_of(c) == county)
                && v.windows(2).all(|w| {
                    let (a, b) = (w[0].origin(), w[1].origin());
                    (a.sheet_index, a.row) < (b.sheet_index, b.row)
                });
            uniform.then_some((county.is_none(), county, i))
        })
        .collect();
    let Some(mut whole) = whole else {
        return in_decision_order(per_file);
    };
    // Two entries never share a file, so this order is total.
    whole.sort_unstable();
    let order: Vec<usize> = whole.into_iter().map(|(.., i)| i).collect();
    let mut rows = Vec::with_capacity(total);
    for i in order {
        if let Some(v) = per_file.get_mut(i) {
            // Each file's buffer is freed as soon as it is emptied: the province's rows are
            // never held twice.
            rows.extend(std::mem::take(v));
        }
    }
    rows
}

/// The general ordering: sorted as small integer keys and then moved once (sorting the rows
/// themselves moved ~0.5 KB structs around and compared paths, ~1 s on 400k rows).
pub fn in_decision_order<R: FormRow>(per_file: Vec<Vec<R>>) -> Vec<R> {
    let mut counties: BTreeMap<&str, u32> = per_file
        .iter()
        .flatten()
        .filter_map(county_of)
        .map(|n| (n, 0))
        .collect();
    for (i, v) in counties.values_mut().enumerate() {
        *v = i as u32;
    }
    let mut keys: Vec<(u32, usize, usize, u32, usize)> = Vec::new();
    for (file, v) in per_file.iter().enumerate() {
        for r in v {
            let county = county_of(r)
                .and_then(|k| counties.get(k).copied())
                .unwrap_or(u32::MAX);
            let o = r.origin();
            keys.push((county, file, o.sheet_index, o.row, keys.len()));
        }
    }
    drop(counties);
    keys.sort_unstable();
    let mut rows: Vec<R> = Vec::with_capacity(keys.len());
    for v in per_file {
        rows.extend(v);
    }
    // Apply the permutation in place, cycle by cycle: no second copy of a province's rows.
    let mut dest: Vec<usize> = vec![0; keys.len()];
    for (to, k) in keys.iter().enumerate() {
        dest[k.4] = to;
    }
    drop(keys);
    for i in 0..rows.len() {
        while dest[i] != i {
            let j = dest[i];
            rows.swap(i, j);
            dest.swap(i, j);
        }
    }
    rows
}

/// Indices of `rows` in reading order (file, sheet, row): the order of decisions.csv.
pub fn reading_order<R: FormRow>(rows: &[R]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (rows[a].origin(), rows[b].origin());
        (&x.file, x.sheet_index, x.row).cmp(&(&y.file, y.sheet_index, y.row))
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::county::CountyCode;
    use crate::form::Origin;

    #[derive(Debug, Clone)]
    struct Row(Origin, Option<CountyCode>);

    impl FormRow for Row {
        fn origin(&self) -> &Origin {
            &self.0
        }
        fn owner(&self) -> Option<&CountyCode> {
            self.1.as_ref()
        }
    }

    fn row(county: Option<&str>, file: &str, sheet_index: usize, row: u32) -> Row {
        let origin = Origin {
            file: file.into(),
            sheet: "Sheet1".into(),
            sheet_index,
            row,
        };
        Row(origin, county.and_then(CountyCode::new))
    }

    fn keys(rows: &[Row]) -> Vec<(Option<String>, String, usize, u32)> {
        rows.iter()
            .map(|r| {
                (
                    county_of(r).map(str::to_string),
                    r.0.file.to_string(),
                    r.0.sheet_index,
                    r.0.row,
                )
            })
            .collect()
    }

    fn both_orders(per_file: Vec<Vec<Row>>) -> (Vec<Row>, Vec<Row>) {
        (
            gather_in_decision_order(per_file.clone()),
            in_decision_order(per_file),
        )
    }

    #[test]
    fn whole_files_are_ordered_like_the_general_sort() {
        // Counties out of code order, an empty file, and a file of rows with no county at all
        // (they go last). Files are given in path order.
        let per_file = vec![
            vec![row(None, "0.xlsx", 0, 7)],
            vec![row(Some("530403"), "a.xlsx", 0, 9)],
            vec![
                row(Some("530403"), "b.xlsx", 0, 5),
                row(Some("530403"), "b.xlsx", 1, 4),
            ],
            vec![],
            vec![
                row(Some("530402"), "c.xlsx", 0, 5),
                row(Some("530402"), "c.xlsx", 0, 6),
            ],
            vec![row(Some("530402"), "d.xlsx", 2, 3)],
        ];
        let (fast, general) = both_orders(per_file);
        assert_eq!(keys(&fast), keys(&general));
        let files: Vec<String> = fast.iter().map(|c| c.0.file.to_string()).collect();
        assert_eq!(
            files,
            [
                "c.xlsx", "c.xlsx", "d.xlsx", "a.xlsx", "b.xlsx", "b.xlsx", "0.xlsx"
            ]
        );
    }

    #[test]
    fn a_file_mixing_counties_takes_the_general_sort() {
        let per_file = vec![
            vec![
                row(Some("530403"), "a.xlsx", 0, 5),
                row(Some("530402"), "a.xlsx", 0, 6),
                row(Some("530403"), "a.xlsx", 0, 7),
            ],
            vec![row(Some("530402"), "b.xlsx", 0, 2)],
        ];
        let (fast, general) = both_orders(per_file);
        assert_eq!(keys(&fast), keys(&general));
        let rows: Vec<u32> = fast.iter().map(|c| c.0.row).collect();
        assert_eq!(rows, [6, 2, 5, 7]);
    }

    #[test]
    fn files_go_in_the_order_given_not_by_their_names() {
        // Check names files by their file name but orders them by path: "z.xlsx" in folder a
        // comes before "a.xlsx" in folder b.
        let per_file = vec![
            vec![row(Some("530402"), "z.xlsx", 0, 5)],
            vec![row(Some("530402"), "a.xlsx", 0, 5)],
        ];
        let (fast, general) = both_orders(per_file);
        assert_eq!(keys(&fast), keys(&general));
        assert_eq!(&*fast[0].0.file, "z.xlsx");
        let rows = vec![
            row(Some("530402"), "b.xlsx", 1, 2),
            row(Some("530402"), "a.xlsx", 0, 9),
            row(Some("530402"), "b.xlsx", 0, 3),
        ];
        assert_eq!(reading_order(&rows), [1, 2, 0]);
    }
}
