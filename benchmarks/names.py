"""Names for the benchmark's cases, drawn like a register of newcomers' names, not numbered.

A search index is only as fast as the names it holds are different from each other. The first
benchmark named every case "Persoon 01234 Achternaam5": every row shared the trigrams of
"persoon" and "achternaam", which no real register does, and which makes every trigram query
read every row (the worst case of any trigram index). Real registers repeat common names
(Mohammed, Ahmadi, Yılmaz) and hold a long tail of rarer ones; so do these: a given name, for a
third of the cases a father's name (Eritrean and Somali names), and a family name, each drawn
with weights that fall with its rank (1/(rank + 5): the most common given name on ~6 % of
the cases, the 100th on ~1 %). Accents are there as they are written (Ayşe, Ömer, Şahin).

The draw is seeded: the first 1,000 names are the same at every size, so a query taken from
them finds its case at 1,000 and at 100,000.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import accumulate

GIVEN = (
    "Mohammed", "Ahmad", "Ali", "Fatima", "Omar", "Yusuf", "Aisha", "Hassan", "Mariam",
    "Ibrahim", "Zainab", "Mustafa", "Abdullah", "Nour", "Khaled", "Amal", "Rami", "Layla",
    "Samir", "Rania", "Tariq", "Huda", "Bilal", "Yasmin", "Hamza", "Dina", "Mahmoud", "Sara",
    "Ayşe", "Mehmet", "Zeynep", "Emine", "Hüseyin", "Ömer", "Elif", "Fatma", "Semhar",
    "Tesfay", "Yonas", "Dawit", "Selam", "Merhawi", "Filmon", "Abrehet", "Senait", "Kidane",
    "Helen", "Abdi", "Hodan", "Farhiya", "Mahad", "Sahra", "Nasrin", "Farid", "Parwana",
    "Zahra", "Reza", "Fereshteh", "Olena", "Oksana", "Iryna", "Andriy", "Dmytro", "Yuliia",
    "Kateryna", "Taras", "Kwame", "Ama", "Kofi", "Abena", "Nadia", "Karim", "Salma", "Youssef",
    "Hanan", "Jamal", "Rasha", "Walid", "Ghada", "Ziad", "Noor", "Faisal", "Lina", "Adnan",
    "Souad", "Nabil", "Asma", "Idris", "Halima", "Musa", "Khadija", "Isa", "Maryam", "Said",
    "Habiba", "Anas",
)  # fmt: skip

FAMILY = (
    "Ahmadi", "Mohammadi", "Haddad", "Yılmaz", "Hussein", "Ibrahim", "Tesfamariam", "Abdullahi",
    "Al-Khatib", "Kaya", "Rahimi", "Osman", "Gebremedhin", "Hosseini", "Demir", "Farah",
    "Khalil", "Shevchenko", "Warsame", "Nasser", "Şahin", "Habte", "Karimi", "Saleh",
    "Boateng", "Çelik", "Mansour", "Tekle", "Kovalenko", "Jama", "Darwish", "Sultani",
    "Berhane", "Yousef", "El Amrani", "Mensah", "Öztürk", "Ghebreyesus", "Bondarenko",
    "Benali", "Al-Hassan", "Nazari", "Aydın", "Haile", "Abdi", "Qasim", "Tkachenko",
    "Bakkali", "Asante", "Hamdan", "Yıldız", "Kidane", "Sharifi", "Al-Ahmad", "Melnyk",
    "Owusu", "Arslan", "Abraha", "Sadeghi", "Hadi", "Koç", "Weldemichael", "Amiri", "Nour",
    "Kravchenko", "Al-Masri", "Doğan", "Mebrahtu", "Azizi", "Said", "Yusuf", "Kurt",
    "Tesfaye", "Jafari", "Hamid", "Oliinyk", "Ouali", "Özdemir", "Gebreyohannes", "Noori",
    "Salem", "Adane", "Moradi", "Zahran", "Aksoy", "Mehari", "Rezaei", "Shaheen", "Boyko",
    "El Idrissi", "Polat", "Tsegay", "Safi", "Al-Rashid", "Kiros", "Faizi", "Aziz",
    "Marchenko", "Erdoğan", "Asfaw", "Wardak", "Barakat", "Ghirmay", "Popal", "Qureshi",
    "Lysenko", "Ağca", "Yohannes", "Hakimi", "Issa", "Tewelde", "Stanekzai", "Awad",
    "Rudenko", "Keskin", "Zerai", "Habibi", "Khoury", "Fitwi", "Samadi",
)  # fmt: skip


def _weights(count: int) -> list[float]:
    return list(accumulate(1 / (rank + 5) for rank in range(count)))


def names(count: int, seed: int = 21) -> Iterator[str]:
    """`count` display names, the same first ones for every count."""
    rng = random.Random(seed)
    given, family = _weights(len(GIVEN)), _weights(len(FAMILY))
    for _ in range(count):
        parts = [rng.choices(GIVEN, cum_weights=given)[0]]
        if rng.random() < 1 / 3:
            parts.append(rng.choices(GIVEN, cum_weights=given)[0])  # a father's name
        parts.append(rng.choices(FAMILY, cum_weights=family)[0])
        yield " ".join(parts)
