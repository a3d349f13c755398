"""Sentence banks and a seeded generator of news-wire paragraphs, headlines and comments."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

CATEGORIES = (
    "world",
    "politics",
    "business",
    "technology",
    "science",
    "health",
    "sports",
    "entertainment",
)

FIRST_NAMES = (
    "Ana",
    "Mariana",
    "Lucia",
    "Sofia",
    "Elena",
    "Claire",
    "Hannah",
    "Grace",
    "Amara",
    "Nadia",
    "Priya",
    "Mei",
    "Yuki",
    "Ingrid",
    "Fatima",
    "Leila",
    "Rosa",
    "Beatriz",
    "Helen",
    "Joanna",
    "Katarzyna",
    "Olga",
    "Sarah",
    "Rachel",
    "Naomi",
    "Aisha",
    "Chloe",
    "Isabel",
    "Teresa",
    "Monica",
    "John",
    "David",
    "Michael",
    "Daniel",
    "Thomas",
    "James",
    "Robert",
    "Carlos",
    "Javier",
    "Miguel",
    "Luis",
    "Andres",
    "Pedro",
    "Rafael",
    "Ahmed",
    "Omar",
    "Yusuf",
    "Kwame",
    "Samuel",
    "Emmanuel",
    "Hiroshi",
    "Kenji",
    "Arjun",
    "Rahul",
    "Vikram",
    "Pavel",
    "Tomasz",
    "Henrik",
    "Lars",
    "Marco",
    "Paolo",
    "Stefan",
    "Patrick",
    "Brian",
    "Kevin",
    "Martin",
    "George",
    "Victor",
    "Felipe",
    "Diego",
)
LAST_NAMES = (
    "Torres",
    "Mendoza",
    "Quispe",
    "Castillo",
    "Romero",
    "Alvarez",
    "Herrera",
    "Navarro",
    "Ortega",
    "Morales",
    "Delgado",
    "Fuentes",
    "Whitaker",
    "Harrington",
    "Caldwell",
    "Brennan",
    "Fletcher",
    "Holloway",
    "Pearson",
    "Sinclair",
    "Thornton",
    "Gallagher",
    "McNally",
    "Donovan",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Kamau",
    "Otieno",
    "Haddad",
    "Nasser",
    "Khalil",
    "Farouk",
    "Rahman",
    "Chaudhry",
    "Iyer",
    "Raman",
    "Menon",
    "Kapoor",
    "Tanaka",
    "Watanabe",
    "Nakamura",
    "Chen",
    "Zhou",
    "Lin",
    "Park",
    "Kowalski",
    "Nowak",
    "Lindqvist",
    "Johansson",
    "Berg",
    "Novak",
    "Horvath",
    "Petrov",
    "Volkova",
    "Rossi",
    "Bianchi",
    "Moretti",
    "Costa",
    "Ferreira",
    "Duarte",
    "Dubois",
    "Lefevre",
    "Moreau",
    "Schneider",
    "Vogel",
    "Keller",
    "Brandt",
    "Andersen",
    "Larsen",
    "Reyes",
    "Salazar",
    "Ibarra",
    "Campbell",
    "Sullivan",
    "Ramsey",
    "Goodwin",
    "Ashford",
    "Bishop",
)

# country, adjective, capital, another city
COUNTRIES = (
    ("Peru", "Peruvian", "Lima", "Cusco"),
    ("Chile", "Chilean", "Santiago", "Valparaiso"),
    ("Colombia", "Colombian", "Bogota", "Medellin"),
    ("Brazil", "Brazilian", "Brasilia", "Sao Paulo"),
    ("Argentina", "Argentine", "Buenos Aires", "Cordoba"),
    ("Mexico", "Mexican", "Mexico City", "Monterrey"),
    ("Ecuador", "Ecuadorian", "Quito", "Guayaquil"),
    ("Bolivia", "Bolivian", "La Paz", "Santa Cruz"),
    ("Guatemala", "Guatemalan", "Guatemala City", "Quetzaltenango"),
    ("Canada", "Canadian", "Ottawa", "Vancouver"),
    ("Kenya", "Kenyan", "Nairobi", "Mombasa"),
    ("Nigeria", "Nigerian", "Abuja", "Lagos"),
    ("Ghana", "Ghanaian", "Accra", "Kumasi"),
    ("Ethiopia", "Ethiopian", "Addis Ababa", "Dire Dawa"),
    ("Senegal", "Senegalese", "Dakar", "Saint-Louis"),
    ("South Africa", "South African", "Pretoria", "Cape Town"),
    ("Egypt", "Egyptian", "Cairo", "Alexandria"),
    ("Morocco", "Moroccan", "Rabat", "Casablanca"),
    ("Jordan", "Jordanian", "Amman", "Aqaba"),
    ("Turkey", "Turkish", "Ankara", "Izmir"),
    ("India", "Indian", "New Delhi", "Mumbai"),
    ("Pakistan", "Pakistani", "Islamabad", "Karachi"),
    ("Bangladesh", "Bangladeshi", "Dhaka", "Chittagong"),
    ("Indonesia", "Indonesian", "Jakarta", "Surabaya"),
    ("Vietnam", "Vietnamese", "Hanoi", "Da Nang"),
    ("Thailand", "Thai", "Bangkok", "Chiang Mai"),
    ("Japan", "Japanese", "Tokyo", "Osaka"),
    ("South Korea", "South Korean", "Seoul", "Busan"),
    ("Australia", "Australian", "Canberra", "Melbourne"),
    ("New Zealand", "New Zealand", "Wellington", "Auckland"),
    ("Poland", "Polish", "Warsaw", "Gdansk"),
    ("Germany", "German", "Berlin", "Hamburg"),
    ("France", "French", "Paris", "Marseille"),
    ("Spain", "Spanish", "Madrid", "Valencia"),
    ("Italy", "Italian", "Rome", "Milan"),
    ("Portugal", "Portuguese", "Lisbon", "Porto"),
    ("Sweden", "Swedish", "Stockholm", "Gothenburg"),
    ("Norway", "Norwegian", "Oslo", "Bergen"),
    ("Greece", "Greek", "Athens", "Thessaloniki"),
    ("Romania", "Romanian", "Bucharest", "Cluj-Napoca"),
    ("Ireland", "Irish", "Dublin", "Cork"),
    ("Britain", "British", "London", "Manchester"),
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")

# Per category: official titles, organisations, companies (or teams, studios), and the
# subject of the story; one of each is cast per article so the paragraphs stay on one story.
TITLES = {
    "world": (
        "foreign minister",
        "interior minister",
        "defence minister",
        "deputy foreign minister",
        "justice minister",
        "labour minister",
        "presidential spokesperson",
        "director of migration",
        "minister for women and vulnerable populations",
        "trade minister",
    ),
    "politics": (
        "senator",
        "governor",
        "speaker of the state assembly",
        "campaign manager",
        "party chairman",
        "opposition leader",
        "attorney general",
        "mayor",
        "state representative",
        "chief of staff",
    ),
    "business": (
        "chief executive",
        "chief financial officer",
        "chief economist",
        "chief operating officer",
        "chairman",
        "head of research",
        "head of investor relations",
        "president",
        "head of European operations",
        "chief strategy officer",
    ),
    "technology": (
        "chief technology officer",
        "chief executive",
        "head of security research",
        "product director",
        "general counsel",
        "chief privacy officer",
        "co-founder",
        "principal engineer",
        "head of artificial intelligence",
        "head of public policy",
    ),
    "science": (
        "senior researcher",
        "professor of geophysics",
        "marine biologist",
        "astronomer",
        "climate scientist",
        "research fellow",
        "mission manager",
        "palaeontologist",
        "professor of atmospheric chemistry",
        "glaciologist",
    ),
    "health": (
        "epidemiologist",
        "senior medical officer",
        "infectious disease specialist",
        "professor of medicine",
        "public health researcher",
        "nurse practitioner",
        "health economist",
        "paediatrician",
        "intensive care doctor",
        "vaccine researcher",
    ),
    "sports": (
        "head coach",
        "captain",
        "goalkeeper",
        "striker",
        "manager",
        "team president",
        "sporting director",
        "assistant coach",
        "veteran midfielder",
        "club chairman",
    ),
    "entertainment": (
        "director",
        "producer",
        "screenwriter",
        "composer",
        "cinematographer",
        "showrunner",
        "executive producer",
        "editor",
        "co-writer",
        "casting director",
    ),
}
ORGS = {
    "world": (
        "the United Nations",
        "the International Organization for Migration",
        "the Red Cross",
        "the African Union",
        "the Organization of American States",
        "the European Union",
        "UNICEF",
        "the World Food Programme",
        "Human Rights Watch",
        "Amnesty International",
        "the State Department",
        "the UN refugee agency",
    ),
    "politics": (
        "the electoral commission",
        "the Senate Judiciary Committee",
        "the House Appropriations Committee",
        "the state Supreme Court",
        "the Justice Department",
        "the Democratic caucus",
        "the Republican National Committee",
        "the Government Accountability Office",
        "the city council",
        "the League of Women Voters",
        "the Congressional Budget Office",
    ),
    "business": (
        "the Federal Reserve",
        "the European Central Bank",
        "the International Monetary Fund",
        "the World Bank",
        "the Securities and Exchange Commission",
        "the Commerce Department",
        "the Labor Department",
        "OPEC",
        "the World Trade Organization",
        "the Chamber of Commerce",
        "the Bank of England",
    ),
    "technology": (
        "the Federal Trade Commission",
        "the European Commission",
        "the Federal Communications Commission",
        "the Cybersecurity and Infrastructure Security Agency",
        "the Electronic Frontier Foundation",
        "the National Institute of Standards and Technology",
        "the Information Commissioner’s Office",
        "the International Telecommunication Union",
    ),
    "science": (
        "NASA",
        "the European Space Agency",
        "the National Oceanic and Atmospheric Administration",
        "the University of Cambridge",
        "the Max Planck Institute",
        "the Smithsonian Institution",
        "the University of Tokyo",
        "the Scripps Institution of Oceanography",
        "the US Geological Survey",
        "the British Antarctic Survey",
    ),
    "health": (
        "the World Health Organization",
        "the Centers for Disease Control and Prevention",
        "the Food and Drug Administration",
        "the National Institutes of Health",
        "the Mayo Clinic",
        "Doctors Without Borders",
        "the American Heart Association",
        "the health ministry",
        "the Pan American Health Organization",
        "Gavi, the Vaccine Alliance",
    ),
    "sports": (
        "FIFA",
        "the International Olympic Committee",
        "the league",
        "the players’ union",
        "World Athletics",
        "the Football Association",
        "UEFA",
        "the disciplinary committee",
        "the national federation",
    ),
    "entertainment": (
        "the Academy",
        "the Cannes Film Festival",
        "the Recording Academy",
        "the Writers Guild",
        "the Toronto International Film Festival",
        "the Screen Actors Guild",
        "the British Film Institute",
        "the Sundance Institute",
    ),
}
COMPANIES = {
    "world": ("Meridian Freight", "Bluewater Shipping", "Granite Peak Mining", "Kestrel Airlines"),
    "politics": ("Castlegate Bank", "Pinecrest Insurance", "Halvorsen Energy", "Tessaro Motors"),
    "business": (
        "Halvorsen Energy",
        "Meridian Freight",
        "Castlegate Bank",
        "Northfield Foods",
        "Arcadia Retail Group",
        "Bluewater Shipping",
        "Tessaro Motors",
        "Pinecrest Insurance",
        "Kestrel Airlines",
        "Granite Peak Mining",
        "Solenne Pharmaceuticals",
        "Ardent Steel",
    ),
    "technology": (
        "Quantix Labs",
        "Nimbus Systems",
        "Brightline Semiconductors",
        "Corvid Networks",
        "Lumen Forge",
        "Parallax Robotics",
        "Orbitra Satellite",
        "Velocity Cloud",
        "Helix Data",
        "Sparrow Mobile",
    ),
    "science": ("Orbitra Satellite", "Parallax Robotics", "Helix Data", "Deepwater Instruments"),
    "health": (
        "Solenne Pharmaceuticals",
        "Corvana Biologics",
        "Medisphere",
        "Arlo Therapeutics",
        "Northbridge Health",
        "Vireo Diagnostics",
    ),
    "sports": (
        "Riverside United",
        "the Harbor City Mariners",
        "Atletico Norte",
        "the Lakeshore Falcons",
        "Kingsbridge Rovers",
        "the Capital City Blaze",
        "Sporting Valverde",
        "the Northgate Wolves",
        "Union Santa Clara",
        "the Bayview Sharks",
        "FC Rheinwald",
        "the Summit Peaks",
    ),
    "entertainment": (
        "Silverscreen Pictures",
        "Northlight Studios",
        "Redwood Records",
        "Aurora Streaming",
        "Lighthouse Entertainment",
        "Blue Lantern Films",
        "Marquee Music Group",
    ),
}
TOPICS = {
    "world": (
        "the border agreement",
        "the ceasefire",
        "the refugee resettlement programme",
        "the security pact",
        "the grain corridor",
        "the migration accord",
        "the peace talks",
        "the extradition treaty",
        "the aid package",
        "the fisheries deal",
        "the anti-trafficking alliance",
        "the water-sharing accord",
    ),
    "politics": (
        "the budget bill",
        "the voting rights measure",
        "the debt ceiling deal",
        "the redistricting plan",
        "the immigration bill",
        "the ethics inquiry",
        "the infrastructure package",
        "the tax overhaul",
        "the election reform bill",
        "the police funding proposal",
        "the housing bill",
    ),
    "business": (
        "the merger",
        "the rate decision",
        "the quarterly results",
        "the restructuring plan",
        "the bond sale",
        "the wage negotiations",
        "the takeover bid",
        "the export ban",
        "the price cap",
        "the job cuts",
        "the fuel subsidy reform",
    ),
    "technology": (
        "the data breach",
        "the antitrust case",
        "the chip shortage",
        "the artificial intelligence rules",
        "the satellite launch",
        "the privacy settlement",
        "the software update",
        "the 5G rollout",
        "the ransomware attack",
        "the app store dispute",
    ),
    "science": (
        "the deep-sea survey",
        "the lunar mission",
        "the coral bleaching study",
        "the glacier measurements",
        "the fossil find",
        "the asteroid flyby",
        "the telescope observations",
        "the genome analysis",
        "the wildfire smoke study",
        "the seismic monitoring project",
    ),
    "health": (
        "the measles outbreak",
        "the vaccination campaign",
        "the drug trial",
        "the hospital staffing crisis",
        "the new dietary guidelines",
        "the malaria programme",
        "the cholera response",
        "the mental health initiative",
        "the dengue outbreak",
        "the screening programme",
    ),
    "sports": (
        "the title race",
        "the playoff series",
        "the transfer window",
        "the qualifying campaign",
        "the semifinal",
        "the doping case",
        "the new stadium",
        "the contract extension",
        "the coaching change",
        "the relegation battle",
    ),
    "entertainment": (
        "the festival lineup",
        "the streaming deal",
        "the world tour",
        "the awards season",
        "the box office weekend",
        "the sequel",
        "the writers’ strike",
        "the reunion concert",
        "the album release",
        "the casting announcement",
    ),
}
WORKS = (
    "The Quiet Harbor",
    "Salt and Iron",
    "Midnight in Valencia",
    "The Long Way North",
    "Paper Lanterns",
    "Glass Mountains",
    "A Season of Rain",
    "The Last Ferry",
    "Northern Lights",
    "The Cartographer",
    "Small Hours",
    "Dust and Honey",
    "The River Keeper",
    "Open Water",
)
DISEASES = (
    "measles",
    "dengue fever",
    "cholera",
    "influenza",
    "tuberculosis",
    "type 2 diabetes",
    "malaria",
    "RSV",
    "hepatitis B",
    "whooping cough",
)

# Sentence templates. {slots} are filled per article (cast) or per sentence (numbers, days).
# A lede opens the story, so it never leans on a surname introduced earlier.
LEDES = {
    "world": (
        (
            "Officials from {country} and {country2} met in {capital} on {weekday} to review "
            "progress on {topic}, the first such meeting since {month}."
        ),
        (
            "{country} will extend {topic} with {country2} for another {num_word} years, the two "
            "governments announced on {weekday}."
        ),
        (
            "Delegations from {num_word} countries gathered in {capital} this week as pressure "
            "mounted to salvage {topic}."
        ),
        (
            "{org} said on {weekday} that it would expand its work in {country}, citing a sharp "
            "rise in the number of families seeking help near the border."
        ),
        (
            "{nationality} authorities have detained {n} people in connection with a network that "
            "smuggled migrants through {city}, police said."
        ),
        (
            "The government of {country} has asked {org} for emergency assistance after heavy "
            "rains displaced thousands of people around {city}."
        ),
        (
            "Talks on {topic} resumed in {capital} on {weekday} after a pause of almost "
            "{num_word} weeks, according to diplomats familiar with the process."
        ),
        (
            "{person}, {country}’s {title}, arrived in {capital} on {weekday} for talks expected "
            "to focus on {topic}."
        ),
    ),
    "politics": (
        (
            "Lawmakers in {capital} advanced {topic} late on {weekday}, setting up a final vote "
            "that could come as early as next week."
        ),
        (
            "{person}, the {title}, said on {weekday} that {topic} would not pass in its current "
            "form without changes to its funding formula."
        ),
        (
            "A committee vote on {topic} was postponed on {weekday} after members raised "
            "objections to several last-minute amendments."
        ),
        (
            "{org} released a report on {weekday} concluding that {topic} would cost about "
            "{money} over the next decade."
        ),
        (
            "The debate over {topic} intensified this week as both parties traded accusations "
            "over who was responsible for the delay."
        ),
        (
            "Voters in {city} will decide in {month} whether to approve {topic}, election "
            "officials confirmed on {weekday}."
        ),
        (
            "{person} formally launched a campaign for the seat on {weekday}, promising to make "
            "{topic} the centrepiece of the race."
        ),
        (
            "A new poll released on {weekday} shows {percent} of likely voters support {topic}, "
            "up from a survey taken in {month}."
        ),
    ),
    "business": (
        (
            "{company} reported a {percent} rise in first-quarter revenue on {weekday}, beating "
            "analysts’ forecasts as demand held up better than expected."
        ),
        (
            "Shares of {company} fell {percent} in early trading on {weekday} after the company "
            "lowered its outlook for the rest of the year."
        ),
        (
            "{org} left interest rates unchanged on {weekday} but signalled that it was prepared "
            "to act again if inflation failed to ease."
        ),
        (
            "{company} said on {weekday} it had agreed to buy a smaller rival for {money}, in a "
            "deal that would create one of the largest groups of its kind in {country}."
        ),
        (
            "Inflation in {country} slowed to {percent} in {month}, official figures showed on "
            "{weekday}, giving policymakers some breathing room."
        ),
        (
            "{company} plans to cut about {n} jobs as part of {topic}, the company told employees "
            "in a memo seen by reporters."
        ),
        (
            "Negotiators for {company} and its workers reached a tentative agreement on "
            "{weekday}, ending a dispute that had disrupted operations in {city} for weeks."
        ),
        (
            "Exports from {country} rose {percent} from a year earlier in {month}, lifted by "
            "strong shipments of minerals and farm goods."
        ),
    ),
    "technology": (
        (
            "{company} on {weekday} unveiled a new service that it says will let small businesses "
            "run artificial intelligence tools without their own servers."
        ),
        (
            "{org} opened an investigation into {company} on {weekday} over how the company "
            "collects and shares location data from its users."
        ),
        (
            "Hackers gained access to the personal details of about {big_number} customers of "
            "{company}, the company disclosed on {weekday}."
        ),
        (
            "{company} said on {weekday} it would invest {money} in a new chip plant near {city}, "
            "one of the largest technology investments in {country} in years."
        ),
        (
            "Regulators in {country} approved new rules on {topic} on {weekday}, requiring "
            "companies to disclose how their systems are trained."
        ),
        (
            "{company} delayed the launch of its next phone on {weekday}, blaming supply problems "
            "linked to {topic}."
        ),
        (
            "A software fault at {company} knocked payment terminals offline across {country} for "
            "several hours on {weekday}."
        ),
        (
            "{person}, the {title} of {company}, said on {weekday} the company would open its "
            "first research centre in {city} this year."
        ),
    ),
    "science": (
        (
            "Researchers working with {org} said on {weekday} they had recorded the lowest "
            "sea-ice extent for {month} since satellite measurements began."
        ),
        (
            "A team led by scientists at {org} has identified a previously unknown species of "
            "deep-sea coral off the coast of {country}, according to a study published this week."
        ),
        (
            "{org} confirmed on {weekday} that {topic} would go ahead in {month}, after engineers "
            "resolved a problem with a fuel valve."
        ),
        (
            "Fossils found in a quarry near {city} belong to a dinosaur that lived about {n} "
            "million years ago, palaeontologists reported on {weekday}."
        ),
        (
            "Glaciers in the mountains of {country} lost about {percent} of their volume over the "
            "past two decades, a new analysis by {org} has found."
        ),
        (
            "Astronomers using a telescope in {country} have spotted what they believe is one of "
            "the most distant galaxies ever observed."
        ),
        (
            "A study published on {weekday} suggests that heat waves in {country} are now about "
            "{num_word} times more likely than they were a century ago."
        ),
        (
            "{person}, a {title} at {org}, said on {weekday} that early results from {topic} were "
            "more striking than the team had expected."
        ),
    ),
    "health": (
        (
            "Health authorities in {country} reported {n} new cases of {disease} on {weekday}, "
            "bringing the total for the year to {big_number}."
        ),
        (
            "{org} on {weekday} recommended a new schedule for childhood vaccinations that it "
            "said could prevent thousands of hospital admissions each year."
        ),
        (
            "A large study published on {weekday} found that adults who walked at least "
            "{num_word} thousand steps a day had a markedly lower risk of heart disease."
        ),
        (
            "Hospitals in {city} postponed non-urgent operations on {weekday} as {topic} left "
            "wards short of nurses."
        ),
        (
            "{company} said on {weekday} that its experimental treatment for {disease} cut "
            "hospital stays by {percent} in a late-stage trial."
        ),
        (
            "The government of {country} launched {topic} on {weekday}, aiming to reach "
            "{big_number} children before the rainy season begins."
        ),
        (
            "{org} warned on {weekday} that cases of {disease} were rising in at least {num_word} "
            "regions and urged travellers to check their vaccinations."
        ),
        (
            "{person}, the {title}, said on {weekday} that the country’s hospitals were better "
            "prepared than last year for a surge in {disease} cases."
        ),
    ),
    "sports": (
        (
            "{team} beat {team2} {score} on {weekday} to move within {num_word} points of the top "
            "of the table."
        ),
        (
            "{team} came from behind to draw {score} with {team2} on {weekday}, keeping alive "
            "their hopes in {topic}."
        ),
        (
            "{person} scored twice as {team} defeated {team2} {score} in front of a sellout crowd "
            "in {city}."
        ),
        (
            "{team} announced on {weekday} that {person} had signed {topic}, keeping the "
            "{age}-year-old at the club until 2026."
        ),
        (
            "{org} opened disciplinary proceedings on {weekday} after crowd trouble marred the "
            "match between {team} and {team2}."
        ),
        (
            "{team} dismissed {person} on {weekday} after a run of {num_word} defeats left the "
            "club near the bottom of the standings."
        ),
        (
            "The final of the tournament will be played in {city} in {month}, {org} confirmed on "
            "{weekday}."
        ),
        (
            "{person} set a national record in the 400 metres on {weekday}, finishing in "
            "{seconds} seconds at a meeting in {city}."
        ),
    ),
    "entertainment": (
        (
            "“{work},” the new film from {person}, opened to strong reviews on {weekday} and is "
            "expected to lead the weekend box office."
        ),
        (
            "{company} confirmed on {weekday} that it had acquired the rights to “{work}” in a "
            "deal reported to be worth about {money}."
        ),
        (
            "Organisers of the festival in {city} unveiled {topic} on {weekday}, with {n} films "
            "competing for the main prize."
        ),
        (
            "{person} announced on {weekday} a {n}-date world tour that will begin in {city} in "
            "{month}."
        ),
        (
            "The singer {person} will release a new album in {month}, the first in {num_word} "
            "years, {company} said on {weekday}."
        ),
        (
            "{person} has been cast in the lead role of “{work},” a drama set in {country} that "
            "begins filming this summer."
        ),
        (
            "A restored print of the classic “{work}” will screen in {city} next month as part of "
            "a retrospective organised by {org}."
        ),
        (
            "Tickets for {topic} in {city} sold out within hours on {weekday}, prompting "
            "organisers to add {num_word} more dates."
        ),
    ),
}
SENTENCES = {
    "world": (
        (
            "The agreement, first signed in {year}, commits both governments to share "
            "intelligence and train officials in {city} and {city2}."
        ),
        (
            "{country} has pledged more than {money} in support, while {country2} has contributed "
            "staff, equipment and training."
        ),
        (
            "Diplomats said the biggest obstacle remained the question of who would pay for the "
            "monitoring teams along the border."
        ),
        (
            "According to {org}, about {big_number} people crossed the border near {city} in the "
            "first {num_word} months of the year."
        ),
        (
            "{person_last} said the two countries had agreed to meet again in {month} to review "
            "whether the targets had been met."
        ),
        (
            "Human rights groups welcomed the announcement but warned that the plan lacked a "
            "clear timetable."
        ),
        (
            "The talks were held behind closed doors, and neither side released a joint statement "
            "afterwards."
        ),
        "Officials in {capital} said the new measures would take effect by the end of {month}.",
        (
            "The {nationality} foreign ministry described the meeting as “constructive” but gave "
            "few details."
        ),
        "{org} estimates that at least {percent} of the victims identified last year were minors.",
        (
            "Several opposition lawmakers in {capital} criticised the deal, saying it had not "
            "been debated in parliament."
        ),
        (
            "The programme will be implemented first in {city} and later expanded to rural "
            "provinces, officials said."
        ),
        (
            "{person2}, a researcher who has studied migration in the region for more than a "
            "decade, said the measures were overdue."
        ),
        (
            "The United States has provided funding for similar programmes in {num_word} "
            "countries in the region since {year}."
        ),
        (
            "Local officials in {city2} said shelters there were already operating at close to "
            "full capacity."
        ),
        (
            "A report by {org} published in {month} found that prosecutions for trafficking "
            "offences had fallen for a second year."
        ),
        (
            "{country2} has been under pressure from its neighbours to tighten controls at its "
            "northern crossings."
        ),
        (
            "The ministers also discussed cooperation on fisheries, energy and disaster "
            "preparedness, according to a statement."
        ),
        "Both governments said they would publish a progress report within {num_word} months.",
        (
            "The new office in {city} will employ about {n} staff, including social workers and "
            "prosecutors."
        ),
        "Critics noted that a similar pledge made in {year} was never fully funded.",
        (
            "The delegation from {country2} was led by {person2}, who has overseen the "
            "negotiations since last year."
        ),
    ),
    "politics": (
        "The measure passed the committee by a vote of {vote}, largely along party lines.",
        (
            "{person_last} told reporters that the bill would protect working families from "
            "rising costs."
        ),
        "Opponents argued that {topic} would add roughly {money} to the deficit over ten years.",
        "The governor has said she will sign the bill if it reaches her desk in its current form.",
        (
            "Aides to {person_last} said negotiations with the other chamber were continuing over "
            "the weekend."
        ),
        "{org} has scheduled a public hearing on the proposal for {weekday}.",
        (
            "A spokesperson for {person2} declined to say whether the senator would support the "
            "final version."
        ),
        (
            "The legislation would also require state agencies to publish quarterly reports on "
            "their spending."
        ),
        (
            "Turnout in the primary was about {percent}, slightly higher than in the previous "
            "election."
        ),
        (
            "The proposal has drawn criticism from both business groups and labour unions, an "
            "unusual alliance."
        ),
        (
            "Several amendments offered by the minority were rejected during a session that "
            "lasted more than {num_word} hours."
        ),
        (
            "{person_last} first introduced a version of the bill in {year}, but it stalled in "
            "committee."
        ),
        "Campaign finance records show that {person} raised about {money} in the first quarter.",
        (
            "The attorney general’s office said it was reviewing the complaint but had not opened "
            "a formal investigation."
        ),
        (
            "Supporters of {topic} rallied outside the capitol on {weekday}, carrying signs and "
            "chanting slogans."
        ),
        (
            "The bill now heads to the full chamber, where leaders hope to bring it to a vote "
            "before the {month} recess."
        ),
        (
            "Analysts at {org} said the changes would affect about {big_number} households in the "
            "state."
        ),
        (
            "{person2}, who chairs the committee, said further changes were likely before a final "
            "vote."
        ),
        (
            "It is the third time in {num_word} years that lawmakers have tried to overhaul the "
            "system."
        ),
        "The mayor’s office said it would release a detailed spending plan in {month}.",
        (
            "Election officials in {city} said they had hired {n} additional poll workers ahead "
            "of the vote."
        ),
        "A court is expected to rule on the challenge to the district map by the end of {month}.",
    ),
    "business": (
        "Net profit rose to {money}, compared with a loss in the same period a year earlier.",
        "The company said higher prices had offset a slight decline in sales volumes.",
        "Analysts polled by financial data providers had expected earnings of about {money}.",
        (
            "{person_last} said the company would continue to invest in its operations in "
            "{country} despite the slowdown."
        ),
        "The deal is subject to approval by regulators in {country} and {country2}.",
        "Shares of {company} have gained about {percent} since the start of the year.",
        "{org} has raised its benchmark rate {num_word} times since last spring.",
        (
            "Economists said the figures pointed to a gradual cooling of the labour market rather "
            "than a sharp downturn."
        ),
        "The company also announced a share buyback programme worth up to {money}.",
        "Union representatives said they would put the offer to a vote of members on {weekday}.",
        "{company2}, a rival, reported weaker results last week and warned of lower margins.",
        (
            "Freight rates between {city} and major European ports have fallen by {percent} since "
            "{month}."
        ),
        "The government expects the economy of {country} to grow by about {percent} this year.",
        (
            "Consumer spending, which accounts for most of economic activity, rose for a "
            "{ordinal} consecutive month."
        ),
        (
            "{company} employs about {big_number} people worldwide, including {n} at its "
            "headquarters in {city}."
        ),
        "The central bank’s next policy meeting is scheduled for {month}.",
        "Executives said supply chain problems that hurt results last year had largely eased.",
        (
            "Prices of copper and lithium, key exports for {country}, have been volatile in "
            "recent months."
        ),
        (
            "{person2}, an analyst who covers the sector, said the outlook depended heavily on "
            "energy prices."
        ),
        "The company did not say how many of the job cuts would fall in {country}.",
        (
            "Under the terms of the agreement, shareholders will receive {money_small} in cash "
            "for each share they own."
        ),
        (
            "Retail sales in {country} fell {percent} in {month} from the previous month, the "
            "statistics office said."
        ),
    ),
    "technology": (
        (
            "The company said it had notified the affected customers and reported the incident to "
            "the authorities."
        ),
        (
            "{person_last} said the new system had been tested with about {n} businesses before "
            "the launch."
        ),
        (
            "Security researchers first spotted the vulnerability in {month} and alerted the "
            "company privately."
        ),
        (
            "The service will cost {money_small} a month for individual users and will be "
            "available in {num_word} languages."
        ),
        (
            "{org} can impose fines of up to {percent_small} of a company’s global annual "
            "turnover under the rules."
        ),
        "{company2}, its main competitor, launched a similar product last year.",
        (
            "The plant near {city} is expected to begin production in {year_future} and employ "
            "about {big_number} people."
        ),
        (
            "Engineers traced the outage to a faulty update that was rolled out overnight, the "
            "company said."
        ),
        (
            "Digital rights groups said the proposal did not go far enough to protect users’ "
            "personal data."
        ),
        (
            "{person2}, a {title2} who has advised several governments, said the rules would set "
            "an important precedent."
        ),
        (
            "The company has faced criticism over how long it keeps the recordings made by its "
            "devices."
        ),
        (
            "Sales of smartphones in {country} fell by {percent} in the first quarter, according "
            "to industry estimates."
        ),
        (
            "The new chips are designed to use about {percent} less power than the previous "
            "generation."
        ),
        (
            "Investors have poured more than {money} into start-ups working on similar technology "
            "this year."
        ),
        (
            "{company} said it would appeal against the decision, arguing that it had complied "
            "with the law."
        ),
        (
            "The satellites will provide internet access to remote communities in {country} and "
            "{country2}."
        ),
        "Users reported problems logging in to their accounts for several hours on {weekday}.",
        "The update also fixes {n} security flaws, {num_word} of which were rated critical.",
        "Regulators are expected to publish final guidance on the rules in {month}.",
        "{company} has not said whether the stolen data included payment information.",
        (
            "The ruling could force app developers in {country} to change how they charge for "
            "subscriptions."
        ),
        (
            "About {percent} of households in {country} now have access to high-speed broadband, "
            "government figures show."
        ),
    ),
    "science": (
        "The findings were published in {journal} on {weekday}.",
        (
            "{person_last} said the team had collected samples from {n} sites over {num_word} "
            "field seasons."
        ),
        (
            "The researchers used a remotely operated vehicle to reach depths of more than "
            "{big_number} metres."
        ),
        "Scientists cautioned that more data would be needed before drawing firm conclusions.",
        (
            "The spacecraft is expected to reach its destination in {month} after a journey of "
            "several months."
        ),
        (
            "Temperatures in the region have risen about twice as fast as the global average "
            "since the 1980s."
        ),
        (
            "The fossil, which includes part of a jaw and several vertebrae, was found by a "
            "farmer in {year}."
        ),
        (
            "{person2}, who was not involved in the research, called the results “a significant "
            "step forward.”"
        ),
        (
            "The telescope’s mirror measures about {num_word} metres across and is cooled to "
            "extremely low temperatures."
        ),
        "The project is funded by {org} and involves researchers from {num_word} countries.",
        (
            "Earlier studies had suggested that the species was limited to warmer waters further "
            "north."
        ),
        "The team plans to return to the site in {month} to collect further samples.",
        (
            "Satellite images show the glacier has retreated by more than {big_number} metres "
            "since {year}."
        ),
        "The measurements were taken by sensors installed on the seabed off the coast near {city}.",
        (
            "{person_last} said the discovery could change how scientists understand the "
            "evolution of early mammals."
        ),
        (
            "Data from the mission will be made available to researchers around the world within "
            "a year."
        ),
        (
            "The researchers analysed the DNA of more than {big_number} samples collected across "
            "{country}."
        ),
        "The asteroid will pass at a safe distance of about {n} thousand kilometres from Earth.",
        "Funding for the next phase of the project has not yet been secured, the team said.",
        (
            "Ocean temperatures off {country} reached record levels for {month}, according to the "
            "data."
        ),
        "The study adds to a growing body of evidence linking warmer seas to more intense storms.",
        (
            "The instrument was built by engineers at {org} and tested for several months before "
            "launch."
        ),
    ),
    "health": (
        "Most of the cases have been reported among children under the age of {num_word}.",
        (
            "{person_last} urged parents to make sure their children were up to date with their "
            "vaccinations."
        ),
        "The trial enrolled about {big_number} patients at {n} hospitals in {num_word} countries.",
        (
            "Side effects were generally mild and included headaches and fatigue, the researchers "
            "said."
        ),
        "{org} said it had sent additional medical supplies and staff to the affected areas.",
        "The health ministry said vaccination rates in some districts had fallen below {percent}.",
        (
            "Doctors at hospitals in {city} said emergency departments had been busier than usual "
            "for the time of year."
        ),
        "The study followed participants for an average of {num_word} years.",
        (
            "{person2}, a {title2} who was not involved in the study, said the results were "
            "encouraging but needed to be confirmed."
        ),
        "Regulators are expected to decide whether to approve the treatment by {month}.",
        (
            "The campaign will be carried out by mobile teams travelling to remote villages near "
            "{city2}."
        ),
        (
            "Health officials said there was no evidence that the virus was spreading more easily "
            "than in previous seasons."
        ),
        (
            "{company} said it planned to apply for approval in {country} and {country2} later "
            "this year."
        ),
        "Nurses’ unions have warned for months that staffing levels were unsafe.",
        (
            "About {percent} of adults in {country} are estimated to have high blood pressure, "
            "many of them undiagnosed."
        ),
        "The government has set aside {money} for the programme over the next {num_word} years.",
        "The researchers said the benefits were seen regardless of age, sex or body weight.",
        "Clinics in {city} will offer free screening on weekends throughout {month}.",
        (
            "Experts said better access to clean water remained the most effective way to prevent "
            "outbreaks."
        ),
        (
            "{person_last} said the hospital had recruited {n} nurses from abroad since the start "
            "of the year."
        ),
        "The guidelines recommend that adults limit their intake of added sugar and salt.",
        "Officials said {n} patients remained in hospital, {num_word} of them in intensive care.",
    ),
    "sports": (
        (
            "{person_last} opened the scoring in the {minute}th minute with a low shot from the "
            "edge of the area."
        ),
        "{team2} had a goal ruled out for offside shortly before half-time.",
        "The result leaves {team} {ordinal} in the standings with {num_word} games remaining.",
        "{person2}, the {title2}, said the team had shown character after a difficult week.",
        (
            "The club did not disclose the terms of the contract, but local media reported it was "
            "worth about {money} a year."
        ),
        "{team2} have now gone {num_word} matches without a win in all competitions.",
        "The {age}-year-old has scored {small} goals in all competitions this season.",
        "Attendance at the stadium in {city} was a season-high {big_number}.",
        "The sides meet again in the return leg in {city2} next {weekday}.",
        (
            "{person_last} was substituted early in the second half with what appeared to be a "
            "hamstring injury."
        ),
        "{org} said it would review footage of the incident before deciding on any sanctions.",
        "The team’s next match is away to {team2} on {weekday}.",
        "Fans in {city} celebrated late into the night after the final whistle.",
        "It was the club’s first victory over {team2} since {year}.",
        "The coach made {num_word} changes to the starting lineup after the midweek defeat.",
        "The transfer is expected to be completed once the player passes a medical on {weekday}.",
        "The club’s owners have promised to invest {money} in a new training centre near {city}.",
        "{team} finished the match with ten men after a red card midway through the second half.",
        "Officials said ticket sales for the final had already passed {big_number}.",
        "{person_last} has made {n} appearances for the national team since debuting in {year}.",
        "The league is expected to announce the schedule for next season in {month}.",
        (
            "A moment of silence was held before kickoff in memory of a former player who died "
            "last week."
        ),
    ),
    "entertainment": (
        "The film earned about {money} in its opening weekend in North America.",
        "{person_last} said the story was inspired by a family history rooted in {city}.",
        "The series will premiere on {company} in {month}, with new episodes released weekly.",
        "Critics praised the performances but were divided over the film’s ending.",
        "The album was recorded over {num_word} months in studios in {city} and {city2}.",
        "{person2}, who plays the lead role, said the script had been rewritten several times.",
        "The festival will run for {num_word} days and feature more than {n} screenings.",
        "Tickets for the tour go on sale on {weekday} through the venues’ websites.",
        "The production employed about {n} local crew members during filming in {country}.",
        "It is the {ordinal} collaboration between the director and the composer.",
        "{org} will announce its nominations in {month}.",
        "The documentary premiered at a festival in {city} last year and won the audience award.",
        (
            "{company} did not disclose the budget, but industry estimates put it at more than "
            "{money}."
        ),
        "Fans queued outside the theatre in {city} for hours before the premiere.",
        (
            "The cast also includes {person3}, who appeared in several of the director’s earlier "
            "films."
        ),
        "{person_last} told reporters at the premiere that a sequel was “not out of the question.”",
        "The show’s {ordinal} season drew its largest audience since the series began.",
        "The exhibition of costumes and props from the film opens in {city} in {month}.",
        "Streaming services have spent heavily on local productions in {country} in recent years.",
        "The novel on which the film is based has sold more than {big_number} copies.",
        "The band last toured together in {year} before taking an extended break.",
        (
            "Reviewers singled out the cinematography, much of which was shot on location near "
            "{city2}."
        ),
    ),
}
SHARED_SENTENCES = (
    "The announcement comes as {org} prepares to publish its annual report in {month}.",
    "Officials did not give a timeline for when further details of {topic} would be released.",
    "{person_last} did not respond to a request for comment on {weekday}.",
    "Further talks are expected to take place in {city} before the end of {month}.",
    "The figures were compiled from data provided by {num_word} government agencies.",
    "{topic_cap} has drawn wide attention since it was first made public in {month}.",
    (
        "A statement released on {weekday} said the decision had been taken “after careful "
        "consideration.”"
    ),
    "The full report is expected to be presented to lawmakers in {capital} in {month}.",
    (
        "Local media in {country} reported that the plans had been under discussion for several "
        "months."
    ),
    "{person_last} said more information would be shared once the review was complete.",
    (
        "The decision was welcomed by community leaders in {city}, who had campaigned for it for "
        "years."
    ),
    "Reporters were not allowed to attend the meeting, which lasted about {num_word} hours.",
    "The issue is expected to feature prominently when officials meet again in {month}.",
    "Similar measures introduced in {country2} in {year} produced mixed results, analysts said.",
    "About {n} people attended the event in {city}, according to the organisers.",
    "{org} said it would continue to monitor the situation closely.",
    "The move affects an estimated {big_number} people in and around {city}.",
    "It was not immediately clear how the plan would be financed.",
    "The proposal will be open to public comment until the end of {month}.",
    "Those involved said privately that a compromise on {topic} was still possible.",
    (
        "Documents reviewed by reporters show the costs of {topic} have risen by {percent} since "
        "last year."
    ),
    "The next review of {topic} is scheduled for {month}, {person_last} said.",
    "The {nationality} government has said it will publish the results in full.",
    "Residents of {city2} said they had been waiting for the change for a long time.",
    "It is the {ordinal} such announcement this year.",
    "Details of {topic} were first reported by local newspapers in {city} on {weekday}.",
    "The figures do not include {city2}, where data collection was delayed.",
    "Officials in {city} said they would hold a news conference on {weekday} to answer questions.",
    "Observers from {country2} were invited to follow the process, the statement said.",
    "{person} is expected to travel to {city2} next week to meet local officials.",
)
QUOTES = {
    "world": (
        (
            "We are committed to protecting the most vulnerable, and this agreement gives us the "
            "tools to do it"
        ),
        "No country can confront this problem alone",
        "The survivors must be at the centre of everything we do",
        "This is a partnership that has already produced results, and we want to build on them",
        "Our borders should be places of cooperation, not of fear",
        "We expect concrete progress before the next round of talks",
        "The families who cross here need protection, not more obstacles",
    ),
    "politics": (
        "This bill is about fairness, plain and simple",
        "We cannot keep asking taxpayers to pay for promises we never keep",
        "The voters deserve a straight answer, and they will get one",
        "I have always said I would work with anyone who wants to get this done",
        "This is not the end of the debate, it is the beginning",
        "We will keep fighting until every district is drawn fairly",
        "Nobody got everything they wanted, and that is what a compromise looks like",
    ),
    "business": (
        "We are seeing demand hold up better than many people expected",
        "The next two quarters will be challenging, but our balance sheet is strong",
        "Inflation is coming down, but it is not coming down fast enough",
        "This deal gives us the scale we need to compete globally",
        (
            "Our workers kept this company running through the hardest years, and they deserve a "
            "fair share"
        ),
        "Markets are still trying to work out where rates will settle",
        "We remain cautious about the second half of the year",
    ),
    "technology": (
        "Security has to be built in from the start, not added at the end",
        "We took this step because our customers asked for more control over their data",
        "This technology will change how small businesses work",
        "Regulation has to keep up with what these systems can actually do",
        "We found the problem, we fixed it, and we are making sure it cannot happen again",
        "The demand for computing power is growing faster than anyone predicted",
        "People should not have to be experts to understand how their data is used",
    ),
    "science": (
        "We were genuinely surprised by what we found",
        "These measurements tell us the changes are happening faster than the models suggested",
        "Every sample we bring back answers one question and raises three more",
        "It is a bit like finding a missing page in a very old book",
        "The instrument performed even better than we had hoped",
        "We need long-term data to understand what is really going on",
        "This discovery fills an important gap in the fossil record",
    ),
    "health": (
        "Vaccination remains the best protection we have",
        "Our staff are exhausted, and the system cannot keep running on goodwill",
        "The results are encouraging, but we need to see them confirmed in larger groups",
        "Prevention is always cheaper than treatment",
        "We are asking parents not to wait until their children get sick",
        "Early diagnosis makes an enormous difference to how patients recover",
        "No family should have to travel for days to see a doctor",
    ),
    "sports": (
        "We showed real character after going a goal down",
        "The players gave everything, and that is all I can ask",
        "It is a dream come true to sign for this club",
        "We have to keep our feet on the ground, there is still a long way to go",
        "Nobody expected us to be here, but we believe in ourselves",
        "Decisions like that can change a season",
        "The fans were incredible tonight, they carried us through the last twenty minutes",
    ),
    "entertainment": (
        "I wanted to tell a story that felt true to the place where I grew up",
        "Every night on this tour feels like a conversation with the audience",
        "We shot most of it on location, and the landscape became a character of its own",
        "It took us years to get this film made, so tonight means a lot",
        "The songs came together very quickly once we were back in the studio",
        "I never imagined the show would find such a wide audience",
        "Working with this cast was the best experience of my career",
    ),
}
SHARED_QUOTES = (
    "We have made real progress, but there is still a lot of work ahead",
    "This is an important step, and we intend to see it through",
    "We are listening carefully to everyone affected by this decision",
    "Our priority is to get this right rather than to get it done quickly",
    "The numbers speak for themselves",
    "We will not be distracted from the goals we set out at the beginning",
    "People want to see results, not more announcements",
)
QUOTE_FORMS = (
    "“{quote},” said {attribution}.",
    "“{quote},” {person_last} said.",
    "“{quote},” {person_last} told reporters in {city} on {weekday}.",
    "“{quote},” said {person2}, who has followed {topic_bare} closely.",
    "{person_last} added: “{quote}.”",
    "“{quote},” {person2} said in a statement released by {org}.",
    "“{quote},” {person_last} said in an interview, adding that {tail}",
)
# How a story's main voice is introduced: "the Y of Z", fitted to each section's titles.
ATTRIBUTIONS = {
    "world": "{person}, the {title} of {country}",
    "politics": "{person}, the {title}",
    "business": "{person}, the {title} of {company}",
    "technology": "{person}, the {title} of {company}",
    "science": "{person}, a {title} at {org}",
    "health": "{person}, a {title} at {org}",
    "sports": "{person}, the {title} of {team}",
    "entertainment": "{person}, the {title} of “{work}”",
}
QUOTE_TAILS = (
    "further announcements were expected in {month}.",
    "the details were still being worked out.",
    "the next steps would be discussed with partners in {country2}.",
    "it was too early to say how long the process would take.",
    "the team would meet again on {weekday}.",
)
TITLE_TEMPLATES = {
    "world": (
        "{country} and {country2} extend {topic_bare} for {num_word} more years",
        "{nationality} officials seek help from {org_bare} as border crossings rise",
        "Talks on {topic_bare} resume in {capital} after weeks of delay",
        "{country} pledges {money} to fight human trafficking",
        "Floods displace thousands near {city} as {country} appeals for aid",
        "{person} visits {capital} to push {topic_bare}",
        "{org_cap} expands operations in {country} amid migration surge",
        "Police in {country} break up smuggling network operating from {city}",
    ),
    "politics": (
        "Lawmakers advance {topic_bare} after marathon session",
        "{person} launches bid with promise to deliver {topic_bare}",
        "Vote on {topic_bare} delayed as amendments pile up",
        "Poll shows {percent} support for {topic_bare}",
        "{city} voters to decide on {topic_bare} in {month}",
        "Report puts cost of {topic_bare} at {money}",
        "{person_last} says {topic_bare} will not pass without changes",
        "Court to rule on challenge to district map in {capital}",
    ),
    "business": (
        "{company} revenue rises {percent}, beating forecasts",
        "{company} shares slide after profit warning",
        "{company} to buy rival for {money}",
        "Inflation in {country} slows to {percent} in {month}",
        "{company} to cut {n} jobs in restructuring",
        "{org_cap} holds rates steady, signals caution",
        "Exports from {country} jump {percent} on mineral demand",
        "{company} and union reach tentative wage deal",
    ),
    "technology": (
        "{company} unveils cloud service for small businesses",
        "{org_cap} opens probe into {company} over location data",
        "{company} says hackers accessed data of {big_number} customers",
        "{company} to build {money} chip plant near {city}",
        "{country} approves new rules on artificial intelligence",
        "{company} delays phone launch over supply problems",
        "Payment outage at {company} hits shops across {country}",
        "{company} opens research centre in {city}",
    ),
    "science": (
        "Sea ice falls to record low for {month}, scientists say",
        "New species of deep-sea coral found off {country}",
        "{org_cap} clears lunar mission for launch in {month}",
        "Dinosaur fossil found near {city} is {n} million years old",
        "Glaciers in {country} lost {percent} of volume in two decades",
        "Astronomers spot one of the most distant galaxies yet",
        "Heat waves in {country} now far more likely, study finds",
        "Early results from {topic_bare} surprise researchers",
    ),
    "health": (
        "{country} reports {n} new {disease} cases as outbreak spreads",
        "{org_cap} recommends new childhood vaccine schedule",
        "Walking more linked to lower heart disease risk, study finds",
        "Hospitals in {city} postpone surgery amid staff shortages",
        "Experimental {disease} treatment cuts hospital stays in trial",
        "{country} launches vaccination drive ahead of rainy season",
        "{org_cap} warns of rising {disease} cases in {num_word} regions",
        "Hospitals better prepared for {disease} season, {person_last} says",
    ),
    "sports": (
        "{team_cap} beat {team2} {score} to close gap at the top",
        "{team_cap} fight back to draw with {team2}",
        "{person_last} scores twice as {team} see off {team2}",
        "{team_cap} extend {person_last}’s contract until 2026",
        "{org_cap} investigates crowd trouble at {team} match",
        "{team_cap} sack {person_last} after {num_word} straight defeats",
        "{city} to host final in {month}",
        "{person_last} sets national 400m record in {city}",
    ),
    "entertainment": (
        "“{work}” opens to strong reviews",
        "{company} acquires rights to “{work}”",
        "Festival in {city} unveils lineup of {n} films",
        "{person} announces {n}-date world tour",
        "{person} to release first album in {num_word} years",
        "{person} cast as lead in “{work}”",
        "Restored “{work}” to screen in {city}",
        "Tour dates in {city} sell out within hours",
    ),
}
SUBHEADS = (
    "What {org} wants from {country}",
    "A test for {person_last}",
    "Why {city} matters",
    "The view from {city2}",
    "What happens after {month}",
    "Questions over {topic}",
    "How {country2} is responding",
    "The road to {topic_bare}",
    "Pressure builds in {capital}",
    "{person_last}’s next move",
    "Where the money for {topic_bare} goes",
    "Lessons from {country2}",
    "What {month} could bring",
    "The {ordinal} attempt",
    "A deadline in {month}",
    "{num_word_cap} questions for {capital}",
    "After {weekday}’s announcement",
    "Counting the cost: {money}",
    "The {percent} question",
    "Voices from {city}",
)
COMMENT_SENTENCES = (
    "Good to see someone finally paying attention to {topic}.",
    "I live near {city} and nobody here has heard anything about this.",
    "Thanks for the clear write-up on {topic}.",
    "How exactly is {country} going to pay for {topic}?",
    "{person_last} has been saying this for years, nice to see it in print.",
    "Would love a follow-up on what happens in {month}.",
    "The numbers in the {ordinal} paragraph seem low to me.",
    "This is the first article I have read that explains {topic} properly.",
    "My cousin works in {city2} and says the situation is worse than reported.",
    "I remember the last time they promised this, back in {year}.",
    "Can you share a link to the report from {org}?",
    "Finally some good news from {country}.",
    "Hard to believe it took this long.",
    "Not convinced {topic} will change much on the ground.",
    "Great reporting, keep it up.",
    "Does anyone know if this affects people outside {city}?",
)
COMMENTERS = (
    "Mark T.",
    "jenny_r",
    "Carlos M.",
    "A. Fernandes",
    "Peter",
    "Lina K.",
    "oldreader54",
    "Sam Whitfield",
    "Maria G.",
    "Tunde",
    "R. Okonkwo",
    "kate.b",
    "Hugo",
    "Diane P.",
)


def _choice(rng: random.Random, items: Sequence[T]) -> T:
    """rng.choice, at a third of the cost: the banks are drawn from half a million times."""
    return items[int(rng.random() * len(items))]


def _between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint, at a third of the cost."""
    return low + int(rng.random() * (high - low + 1))


class _Slots(dict):
    """A story's cast: slots are drawn from the banks the first time they are asked for."""

    def __init__(self, rng: random.Random, category: str) -> None:
        super().__init__()
        self.rng = rng
        self.category = category
        country = _choice(rng, COUNTRIES)
        other = _choice(rng, [c for c in COUNTRIES if c is not country])
        self.update(
            country=country[0],
            nationality=country[1],
            capital=country[2],
            city=_choice(rng, country[2:]),
            country2=other[0],
            city2=_choice(rng, other[2:]),
        )

    def __missing__(self, key: str) -> str:
        value = self._draw(key)
        self[key] = value
        return value

    def _draw(self, key: str) -> str:
        rng, cat = self.rng, self.category
        if key in ("person", "person2", "person3"):
            taken = {self.get(k) for k in ("person", "person2", "person3")}
            while True:
                name = f"{_choice(rng, FIRST_NAMES)} {_choice(rng, LAST_NAMES)}"
                if name not in taken:
                    return name
        if key.endswith("_last"):
            return self[key.removesuffix("_last")].rsplit(" ", 1)[1]
        if key in ("title", "title2"):
            return _choice(rng, TITLES[cat])
        if key in ("org", "org2"):
            return _choice(rng, ORGS[cat])
        if key in ("company", "company2", "team", "team2"):
            pool = COMPANIES["sports" if key.startswith("team") else cat]
            taken = {self.get(k) for k in ("company", "company2", "team", "team2")}
            return _choice(rng, [c for c in pool if c not in taken])
        if key == "topic":
            return _choice(rng, TOPICS[cat])
        if key == "work":
            return _choice(rng, WORKS)
        if key == "disease":
            return _choice(rng, DISEASES)
        if key == "journal":
            return _choice(
                rng,
                (
                    "Nature",
                    "Science",
                    "the journal Nature Geoscience",
                    "Science Advances",
                    "Current Biology",
                ),
            )
        if key == "attribution":
            return ATTRIBUTIONS[cat].format_map(self)
        if key.endswith("_bare"):
            return self[key.removesuffix("_bare")].removeprefix("the ")
        if key.endswith("_cap"):
            value = self[key.removesuffix("_cap")]
            return value[0].upper() + value[1:]
        return _draw_number(rng, key)


def _draw_number(rng: random.Random, key: str) -> str:
    """One of the per-sentence slots: numbers, money, days and months."""
    if key == "n":
        return str(_between(rng, 12, 480))
    if key == "small":
        return str(_between(rng, 3, 29))
    if key == "big_number":
        return f"{_between(rng, 11, 95) * 100 + _choice(rng, (0, 50)):,}"
    if key == "num_word":
        return _choice(rng, NUMBER_WORDS)
    if key == "percent":
        return f"{_between(rng, 1, 38)}.{_between(rng, 1, 9)}%"
    if key == "percent_small":
        return f"{_choice(rng, (2, 4, 6, 10))}%"
    if key == "money":
        if rng.random() < 0.5:
            return f"${_between(rng, 1, 19)}.{_between(rng, 1, 9)} billion"
        return f"${_between(rng, 12, 950)} million"
    if key == "money_small":
        return f"${_between(rng, 4, 60)}.{_between(rng, 10, 99)}"
    if key == "weekday":
        return _choice(rng, WEEKDAYS[:5]) if rng.random() < 0.85 else _choice(rng, WEEKDAYS[5:])
    if key == "month":
        return _choice(rng, MONTHS)
    if key == "year":
        return str(_between(rng, 2012, 2022))
    if key == "year_future":
        return str(_between(rng, 2024, 2027))
    if key == "ordinal":
        return _choice(rng, ("second", "third", "fourth", "fifth", "sixth"))
    if key == "score":
        return f"{_between(rng, 1, 4)}-{_between(rng, 0, 2)}"
    if key == "vote":
        yes = _between(rng, 7, 14)
        return f"{yes}-{_between(rng, 2, yes - 1)}"
    if key == "age":
        return str(_between(rng, 21, 36))
    if key == "minute":
        return str(_between(rng, 11, 88))
    if key == "seconds":
        return f"44.{_between(rng, 10, 99)}"
    raise KeyError(key)


# Slots that change from sentence to sentence; everything else belongs to the story.
_PER_SENTENCE = frozenset(
    (
        "n",
        "small",
        "big_number",
        "num_word",
        "percent",
        "percent_small",
        "money",
        "money_small",
        "weekday",
        "month",
        "year",
        "year_future",
        "ordinal",
        "score",
        "vote",
        "minute",
        "seconds",
    )
)


class _SentenceSlots(dict):
    """Fresh numbers and days for one sentence, the story's cast for everything else."""

    def __init__(self, rng: random.Random, cast: dict) -> None:
        super().__init__()
        self.rng = rng
        self.cast = cast

    def __missing__(self, key: str) -> str:
        if key == "tail":
            value = _choice(self.rng, QUOTE_TAILS).format_map(self)
        elif key == "num_word_cap":
            value = _draw_number(self.rng, "num_word").capitalize()
        elif key in _PER_SENTENCE:
            value = _draw_number(self.rng, key)
        else:
            value = self.cast[key]
        self[key] = value
        return value


def _fill(template: str, rng: random.Random, cast: _Slots) -> str:
    """Fill one template and give it a capital letter, as a sentence or headline needs."""
    text = template.format_map(_SentenceSlots(rng, cast))
    return text[0].upper() + text[1:]


class StoryWriter:
    """Writes one story: a headline, body paragraphs and subheads that share a cast."""

    def __init__(self, rng: random.Random, category: str) -> None:
        self.rng = rng
        self.category = category
        self.cast = _Slots(rng, category)
        self._used: set[str] = set()

    def _pick(self, pool: tuple[str, ...]) -> str:
        """A template from pool, preferring ones this story has not used yet."""
        for _ in range(6):
            template = _choice(self.rng, pool)
            if template not in self._used:
                break
        self._used.add(template)
        return template

    def title(self) -> str:
        """A headline in sentence case, as the site writes them."""
        return _fill(self._pick(TITLE_TEMPLATES[self.category]), self.rng, self.cast)

    def lede(self) -> str:
        """The opening paragraph: a lede sentence and one or two more."""
        first = _fill(self._pick(LEDES[self.category]), self.rng, self.cast)
        return " ".join([first, *(self._sentence() for _ in range(_between(self.rng, 1, 2)))])

    def paragraph(self) -> str:
        """A body paragraph of two to four sentences, a quote now and then."""
        count = _between(self.rng, 2, 4)
        sentences = [self._sentence() for _ in range(count)]
        if self.rng.random() < 0.35:
            sentences.insert(_between(self.rng, 0, count), self.quote())
        return " ".join(sentences[:4])

    def quote(self) -> str:
        """A quoted remark with its attribution, wire style."""
        pool = QUOTES[self.category] if self.rng.random() < 0.75 else SHARED_QUOTES
        form = _choice(self.rng, QUOTE_FORMS)
        return _fill(form.replace("{quote}", self._pick(pool)), self.rng, self.cast)

    def subhead(self) -> str:
        """A short crosshead for the body."""
        return _fill(self._pick(SUBHEADS), self.rng, self.cast)

    def comment(self) -> str:
        """A reader's comment on the story: one or two informal sentences."""
        picks = self.rng.sample(COMMENT_SENTENCES, _between(self.rng, 1, 2))
        return " ".join(_fill(t, self.rng, self.cast) for t in picks)

    def _sentence(self) -> str:
        pool = SENTENCES[self.category] if self.rng.random() < 0.8 else SHARED_SENTENCES
        return _fill(self._pick(pool), self.rng, self.cast)


def unique(make: Callable[[], str], seen: set[str], attempts: int = 50) -> str:
    """Call make until it gives a text not in seen, record it and return it."""
    for _ in range(attempts):
        text = make()
        if text not in seen:
            seen.add(text)
            return text
    raise RuntimeError("the sentence banks ran out of fresh paragraphs")
