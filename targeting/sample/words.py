"""The word lists the sample universe draws from: countries, company names, people, titles.

Data only; the generators in `sample_accounts` and `sample_contacts` index into these tuples
with numpy arrays, so every list here is a fixed, ordered tuple (order is part of the seed's
meaning: reordering changes every generated frame).
"""

from __future__ import annotations

# (country, region, weight, name locale). Mexico counts as LATAM, as sales territories do.
COUNTRIES: tuple[tuple[str, str, float, str], ...] = (
    ("US", "NA", 42.0, "en"),
    ("GB", "EMEA", 8.0, "en"),
    ("DE", "EMEA", 6.0, "de"),
    ("IN", "APAC", 5.5, "in"),
    ("CA", "NA", 5.0, "en"),
    ("FR", "EMEA", 4.0, "fr"),
    ("AU", "APAC", 3.0, "en"),
    ("BR", "LATAM", 3.0, "pt"),
    ("NL", "EMEA", 3.0, "nl"),
    ("SG", "APAC", 2.0, "zh"),
    ("ES", "EMEA", 2.0, "es"),
    ("IL", "EMEA", 1.5, "he"),
    ("SE", "EMEA", 1.5, "nordic"),
    ("IE", "EMEA", 1.5, "en"),
    ("MX", "LATAM", 1.5, "es"),
    ("IT", "EMEA", 1.5, "it"),
    ("CH", "EMEA", 1.0, "de"),
    ("PL", "EMEA", 1.0, "pl"),
    ("JP", "APAC", 1.0, "ja"),
    ("DK", "EMEA", 1.0, "nordic"),
    ("AR", "LATAM", 1.0, "es"),
    ("CO", "LATAM", 0.8, "es"),
    ("AE", "EMEA", 0.8, "en"),
    ("ZA", "EMEA", 0.8, "en"),
    ("NZ", "APAC", 0.6, "en"),
)

# The country-code top-level domain a local company often uses instead of .com.
COUNTRY_TLDS: dict[str, str] = {
    "GB": ".co.uk", "DE": ".de", "FR": ".fr", "NL": ".nl", "AU": ".com.au", "BR": ".com.br",
    "IN": ".in", "ES": ".es", "IT": ".it", "SE": ".se", "CH": ".ch", "PL": ".pl", "JP": ".jp",
    "DK": ".dk", "MX": ".com.mx", "IE": ".ie", "NZ": ".co.nz",
}

# Brand = prefix + root: 64 x 64 distinct stems (a test checks every pair is a distinct string).
BRAND_PREFIXES = (
    "North", "Blue", "Bright", "Clear", "Red", "Silver", "Iron", "Quick", "Deep", "True",
    "Open", "Swift", "High", "Nova", "Pine", "Cedar", "Stone", "Cloud", "Summit", "River",
    "Lumen", "Vector", "Orbit", "Pixel", "Sable", "Amber", "Coral", "Delta", "Echo", "Fable",
    "Grain", "Harbor", "Indigo", "Juniper", "Kite", "Lark", "Maple", "Nimbus", "Oak", "Pulse",
    "Quartz", "Rally", "Sonic", "Terra", "Ultra", "Vivid", "Wild", "Zen", "Atlas", "Beacon",
    "Crisp", "Drift", "Ember", "Flux", "Glow", "Helix", "Ion", "Jolt", "Keen", "Loop",
    "Mosaic", "Nest", "Onyx", "Prism",
)
BRAND_ROOTS = (
    "peak", "field", "ware", "stack", "line", "path", "forge", "base", "gate", "wave",
    "mark", "point", "scale", "shift", "bridge", "craft", "flow", "grid", "hive", "leaf",
    "mint", "nord", "port", "ray", "sail", "tide", "vale", "wing", "yard", "bit",
    "cast", "desk", "fox", "lane", "metric", "note", "pilot", "quest", "rock", "signal",
    "spark", "sphere", "trail", "verse", "works", "zone", "beam", "bloom", "cove", "dock",
    "fern", "glen", "hub", "jet", "key", "lynx", "moss", "nexus", "owl", "pod",
    "reef", "span", "tusk", "well",
)
# Domain shapes; index 0 is the plain name, which a local company may put on its ccTLD.
DOMAIN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("", ".com"), ("", ".io"), ("get", ".com"), ("", "hq.com"),
    ("try", ".com"), ("", ".ai"), ("", "app.com"), ("", ".co"),
)
# A display-name word per industry (index order follows vocabulary.INDUSTRIES); "" = brand only.
NAME_DESCRIPTORS: dict[str, tuple[str, ...]] = {
    "saas": ("", "", "Software", "Cloud", "Labs"),
    "fintech": ("", "Pay", "Capital", "Finance", "Ledger"),
    "healthtech": ("", "Health", "Care", "Medical", "Bio"),
    "ecommerce": ("", "Shop", "Commerce", "Store", "Goods"),
    "marketplace": ("", "Market", "Exchange", "", "Direct"),
    "devtools": ("", "Dev", "Labs", "", "Code"),
    "cybersecurity": ("", "Security", "Shield", "Defense", "Cyber"),
    "edtech": ("", "Learning", "Academy", "Edu", ""),
    "logistics": ("", "Logistics", "Freight", "Fleet", "Supply"),
    "martech": ("", "Media", "Growth", "Marketing", "Labs"),
    "hr_tech": ("", "People", "Talent", "HR", "Works"),
    "insurtech": ("", "Insurance", "Assure", "Cover", ""),
    "proptech": ("", "Homes", "Estate", "Property", "Living"),
    "manufacturing": ("Industries", "Manufacturing", "GmbH", "Systems", "Group"),
    "media": ("", "Media", "Studios", "Digital", "Press"),
    "consulting": ("Partners", "Consulting", "Advisory", "Group", "& Co"),
}

# Locale -> (first names, last names). Accents are kept; emails fold them to ASCII.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        ("James", "Mary", "Michael", "Jennifer", "David", "Sarah", "Chris", "Emily", "Daniel",
         "Jessica", "Matt", "Ashley", "Ryan", "Lauren", "Kevin", "Megan", "Brian", "Rachel",
         "Tom", "Olivia", "Jack", "Charlotte", "Liam", "Sophie"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Taylor",
         "Anderson", "Thomas", "Moore", "Martin", "Clark", "Lewis", "Walker", "Hall", "Young",
         "O'Brien", "Evans", "Hughes", "Murphy", "Campbell", "Reed"),
    ),
    "de": (
        ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Laura", "Maximilian", "Julia", "Jürgen",
         "Katrin", "Stefan", "Sabine"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schäfer", "Koch", "Bauer", "Groß"),
    ),
    "fr": (
        ("Camille", "Louis", "Léa", "Hugo", "Chloé", "Julien", "Manon", "Théo", "Élodie",
         "Antoine", "Inès", "François"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
         "Lefèvre", "Moreau", "Girard", "Lemaître"),
    ),
    "es": (
        ("Alejandro", "Lucía", "Javier", "María", "Carlos", "Sofía", "Diego", "Valentina",
         "José", "Camila"),
        ("García", "Rodríguez", "Martínez", "López", "González", "Hernández", "Pérez",
         "Sánchez", "Ramírez", "Torres"),
    ),
    "pt": (
        ("João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa", "Rafael",
         "Fernanda"),
        ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Ferreira",
         "Almeida", "Gonçalves"),
    ),
    "in": (
        ("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul",
         "Pooja", "Sanjay", "Divya"),
        ("Sharma", "Patel", "Reddy", "Iyer", "Gupta", "Singh", "Kumar", "Nair", "Mehta",
         "Rao", "Joshi", "Agarwal"),
    ),
    "nl": (
        ("Daan", "Emma", "Sem", "Sanne", "Bram", "Fleur", "Joost", "Anouk"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Mulder"),
    ),
    "zh": (
        ("Wei", "Mei Ling", "Jun", "Hui Min", "Jia Hao", "Xin Yi", "Kai", "Li Na"),
        ("Tan", "Lim", "Lee", "Ng", "Wong", "Chen", "Goh", "Chua"),
    ),
    "he": (
        ("Noam", "Yael", "Itai", "Noa", "Omer", "Tamar", "Eitan", "Shira"),
        ("Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Friedman", "Azoulay", "Katz"),
    ),
    "nordic": (
        ("Erik", "Ingrid", "Lars", "Astrid", "Magnus", "Freja", "Søren", "Linnéa"),
        ("Andersson", "Johansson", "Nielsen", "Hansen", "Lindqvist", "Jørgensen", "Berg",
         "Nyström"),
    ),
    "it": (
        ("Marco", "Giulia", "Luca", "Francesca", "Matteo", "Chiara", "Niccolò", "Martina"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "De Luca"),
    ),
    "pl": (
        ("Jakub", "Zofia", "Mateusz", "Agnieszka", "Paweł", "Katarzyna", "Łukasz", "Magda"),
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
         "Szymański"),
    ),
    "ja": (
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Takumi", "Sakura"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
    ),
}

# (title, persona the title is meant to signal or None, weight). Messy on purpose, as exports
# are; the persona is the intended label, handy for checking a title classifier.
TITLES: tuple[tuple[str | None, str | None, float], ...] = (
    ("CEO", "economic_buyer", 3.0),
    ("Co-Founder & CEO", "economic_buyer", 2.0),
    ("Founder", "economic_buyer", 1.5),
    ("Chief Revenue Officer", "economic_buyer", 1.5),
    ("VP of Sales", "economic_buyer", 2.5),
    ("VP Sales, North America", "economic_buyer", 1.0),
    ("CFO", "economic_buyer", 1.0),
    ("COO", "economic_buyer", 1.0),
    ("SVP, Global Sales", "economic_buyer", 0.5),
    ("Head of Growth", "champion", 2.5),
    ("VP, Revenue Operations & Strategy", "champion", 1.5),
    ("Director of Sales Operations", "champion", 1.5),
    ("RevOps Manager", "champion", 2.0),
    ("Head of Sales Development", "champion", 1.5),
    ("Sr. Director, Demand Generation", "champion", 1.0),
    ("Marketing Operations Lead", "champion", 1.0),
    ("Director of Customer Success", "champion", 1.0),
    ("CTO", "technical_evaluator", 2.0),
    ("Co-Founder & CTO", "technical_evaluator", 1.5),
    ("VP Engineering", "technical_evaluator", 1.5),
    ("Sr. Mgr IT Security", "technical_evaluator", 1.0),
    ("Head of Data", "technical_evaluator", 1.0),
    ("Engineering Manager", "technical_evaluator", 1.5),
    ("Solutions Architect", "technical_evaluator", 1.0),
    ("IT Director", "technical_evaluator", 1.0),
    ("Account Executive", "user", 3.5),
    ("Sr. Account Executive - Enterprise", "user", 1.5),
    ("SDR", "user", 2.0),
    ("Business Development Representative", "user", 2.0),
    ("Software Engineer II", "user", 2.5),
    ("Customer Success Manager", "user", 2.0),
    ("Marketing Manager", "user", 2.0),
    ("Data Analyst", "user", 1.5),
    ("Product Manager", "user", 1.5),
    ("EA to the CEO", "gatekeeper", 1.0),
    ("Executive Assistant", "gatekeeper", 1.0),
    ("Office Manager", "gatekeeper", 1.0),
    ("Chief of Staff", "gatekeeper", 0.5),
    ("Procurement Manager", "procurement", 1.0),
    ("Head of Procurement", "procurement", 0.5),
    ("Purchasing Manager", "procurement", 0.5),
    ("Legal Counsel", "procurement", 0.8),
    ("General Counsel", "procurement", 0.5),
    ("Intern", None, 0.8),
    ("Recruiter", None, 0.8),
    ("Advisor", None, 0.5),
    (None, None, 2.5),
)
# Titles written in the local language, drawn for some contacts at companies in that locale.
LOCAL_TITLES: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (
        ("Directeur Commercial", "economic_buyer"),
        ("Directeur Général", "economic_buyer"),
        ("Responsable Marketing", "champion"),
        ("Directeur Technique", "technical_evaluator"),
        ("Ingénieur Logiciel", "user"),
        ("Assistante de Direction", "gatekeeper"),
        ("Responsable des Achats", "procurement"),
    ),
    "de": (
        ("Geschäftsführer", "economic_buyer"),
        ("Vertriebsleiter", "economic_buyer"),
        ("Leiter Marketing", "champion"),
        ("Leiter IT", "technical_evaluator"),
        ("Softwareentwickler", "user"),
        ("Assistenz der Geschäftsführung", "gatekeeper"),
        ("Einkaufsleiter", "procurement"),
    ),
}
ROLE_MAILBOXES = ("info", "sales", "hello", "contact", "team")
FREE_MAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com")
# Email local-part shapes: first.last, first, flast, firstl, first_last.
EMAIL_SHAPES = ("first.last", "first", "flast", "firstl", "first_last")
EMAIL_SHAPE_WEIGHTS = (0.5, 0.2, 0.15, 0.08, 0.07)
# Accented letters folded for email addresses (German umlauts the German way).
ASCII_FOLD: dict[str, str] = {
    "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ê": "e", "ë": "e",
    "à": "a", "á": "a", "â": "a", "ã": "a", "å": "a", "í": "i", "ì": "i", "î": "i", "ï": "i",
    "ó": "o", "ò": "o", "ô": "o", "õ": "o", "ø": "o", "ú": "u", "ù": "u", "û": "u",
    "ç": "c", "ñ": "n", "ł": "l", "ś": "s", "ń": "n", "ż": "z", "ź": "z", "ć": "c",
    "ę": "e", "ą": "a", "'": "", " ": "",
}
TAGS = ("b2b", "b2c", "ai", "api", "enterprise", "smb", "remote_first", "open_source", "mobile")
