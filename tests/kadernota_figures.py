"""Golden figures, typed from the Kadernota 2026, chapter 9 (shared/seed, lines ~2260-2470).

These are the document's own numbers, kept apart from the package so a test never compares
the package with itself.
"""

INDEXATIES = {  # year: (A loonontwikkeling, B prijsontwikkeling)
    2025: (0.044, 0.025),
    2026: (0.020, 0.024),
    2027: (0.039, 0.022),
    2028: (0.039, 0.022),
    2029: (0.039, 0.022),
}

YEARS = (2025, 2026, 2027, 2028, 2029)

# Kosten "Kernorganisatie": line -> (index type, Begroting 2025, Raming 2026 .. 2029)
KERNORGANISATIE = {
    "Salarissen": ("A", 39059724, 39840918, 41394714, 43009108, 44686463),
    "Overige Personeelskosten": ("B", 2362584, 2419286, 2472510, 2526906, 2582497),
    "Afschrijvingen": ("B", 1778619, 1821306, 1861375, 1902325, 1944176),
    "Kantoor- en huisvestingskosten": ("B", 6324645, 6476436, 6618918, 6764534, 6913354),
    "Overige bedrijfskosten": ("B", 1370031, 1402912, 1433776, 1465319, 1497556),
    "Dekking Uren": ("A", -10345280, -10552186, -10963721, -11391306, -11835567),
    "Activiteitskosten": ("B", 1081337, 1107289, 1150473, 1175784, 1201651),
    "Doorbelasting Kosten Bedrijven": ("B", -6066037, -6211622, -6348278, -6487940, -6630674),
    "Doorbelasting Salarissen Gelieerde instellingen": ("A", -852016, -869056, -902949, -938164, -974753),
    "Overige baten": ("B", -607000, -621568, -635242, -649218, -663501),
}
TOTAAL = (41631660, 42515962, 43968046, 45452669, 46990131)
TOTAAL_DOORBELASTING = (-7525053, -7702246, -7886470, -8075322, -8268928)
KOSTEN_KERNORGANISATIE = (34106607, 34813716, 36081576, 37377347, 38721203)

ONTWIKKELING = (0.042, 0.021, 0.036, 0.036, 0.036)  # 2025 is given, not derivable
INGROEI = 0.010
CONTRIBUTIESTIJGING = (0.052, 0.031, 0.046, 0.046, 0.046)
VOORSTEL_2026 = 0.021  # contributie 2026 without ingroei

# Fonds GGU, € 1,000, 2026 .. 2029
GGU_YEARS = (2026, 2027, 2028, 2029)
GGU_HOOFDSTUKKEN = {  # number: (structureel, ontwikkeling, 2026, 2027, 2028, 2029)
    1: (0, 2044, 2044, 2118, 2194, 2273),
    2: (17472, 11223, 28695, 29728, 30798, 31907),
    3: (8255, 6459, 14714, 15244, 15792, 16361),
    4: (2403, 1123, 3526, 3653, 3784, 3921),
    5: (5791, 2449, 8240, 8537, 8844, 9162),
    6: (12262, 8200, 20462, 21199, 21962, 22752),
    8: (8238, 0, 8238, 8535, 8842, 9160),
}
GGU = {
    "basisbegroting": (85919, 89012, 92217, 95536),
    "herprioritering": (-465, -916, -1399, -1449),  # printed as (465) ... (1.449)
    "begroting": (85454, 88096, 90818, 94087),
    "fonds": (82055, 83778, 86794, 89919),
    "indexatie": (1723, 3016, 3125, 3237),
    "bijdrage": (83778, 86794, 89919, 93156),
    "overbegroting": (1676, 1302, 899, 932),
    "dekking": (85454, 88096, 90818, 94087),
}
# Table Dekking, the line "Totaal inclusief indexatie" (huidig fonds + indexatie), 2026 .. 2029
GGU_TOTAAL_INCLUSIEF_INDEXATIE = (83778, 86794, 89919, 93156)
# The second table, "Begroting en omvang Fonds GGU" (Begroting 2026, column Totaal, and "Dekking
# Begroting"), as printed (its labels say 2025 for the 2026 figures).
GGU_OMVANG_2026 = {
    "1. Een Krachtige Lokale Overheid": 2044,
    "2. Inclusieve Samenleving": 28695,
    "3. Leefomgeving": 14714,
    "4. Lokaal Bestuur en Veiligheid": 3526,
    "5. Digitale Samenleving": 8240,
    "6. Versterken lokale uitvoering": 20462,
    "8. De Organisatie": 8238,
    "Basisbegroting": 85919,
    "Herprioritering (verlagen overbegroting)": -465,
    "Totaal Begroting 2025": 85454,
    "Huidig fonds (2025)": 82055,
    "Indexatie": 1723,
    "Subtotaal": 83778,
    "Bijdrage Leden 2025": 83778,
    "Overbegroting / verwacht onderhanden werk": 1676,
    "Totale Dekking": 85454,
}
PER_INWONER = {2025: 4.574, 2026: 4.644}

# Figures the stated rules do not reproduce (see the closing notes / `vng-xl controle`):
# (line, year) for lines; the totals that contain them follow.
NOT_REPRODUCED_LINES = {
    ("Activiteitskosten", 2027),
    ("Activiteitskosten", 2028),
    ("Activiteitskosten", 2029),
    ("Doorbelasting Salarissen Gelieerde instellingen", 2027),
    ("Doorbelasting Salarissen Gelieerde instellingen", 2028),
}
NOT_REPRODUCED_TOTALS = {2027, 2028, 2029}  # Totaal and Kosten 'Kernorganisatie'
