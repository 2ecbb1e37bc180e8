//! Russian words the rules' messages need.

/// The Russian plural form for `n`: «1 место», «2 места», «5 мест»,
/// «11 мест», «21 место».
pub fn plural_word<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (n10, n100) = (n % 10, n % 100);
    if n10 == 1 && n100 != 11 {
        one
    } else if (2..=4).contains(&n10) && !(12..=14).contains(&n100) {
        few
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let f = |n| plural_word(n, "место", "места", "мест");
        assert_eq!(
            [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111].map(f),
            [
                "мест",
                "место",
                "места",
                "места",
                "мест",
                "мест",
                "мест",
                "мест",
                "место",
                "места",
                "мест",
                "место",
                "мест"
            ]
        );
    }
}
