#!/usr/bin/env python3
"""Derives the simulator's compact population tables from ../shared/reference-data/eventsim (see NOTICE.md).

Run from the repository root: python3 jobs/RhythmFlow.Simulator/Data/derive-tables.py [reference-data/eventsim dir]
The output is committed; the simulator never reads the reference data at run time.
"""
import csv, os, sys
from collections import defaultdict

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../../shared/reference-data/eventsim")
out = os.path.dirname(os.path.abspath(__file__))

# First names with gender, weighted by the SSA count (yob1990). Names given to fewer than 10 babies add
# little but rows, so they are left out (they hold well under 5% of the weight).
with open(os.path.join(src, "yob1990.txt"), encoding="utf-8") as f, open(os.path.join(out, "first-names.tsv"), "w") as o:
    for line in f:
        parts = line.strip().split(",")
        if len(parts) == 3 and int(parts[2]) >= 10:
            o.write(f"{parts[0].lower().capitalize()}\t{parts[1]}\t{parts[2]}\n")

# Surnames weighted by the Census 2000 count (column 3); the file has CR line endings.
with open(os.path.join(src, "Top1000Surnames.csv"), encoding="utf-8", newline="") as f, open(os.path.join(out, "surnames.tsv"), "w") as o:
    rows = list(csv.reader(f.read().replace("\r", "\n").splitlines()))
    for row in rows[1:]:
        if len(row) >= 3 and row[2].isdigit():
            o.write(f"{row[0].lower().capitalize()}\t{row[2]}\n")

# User agents with eventsim's integer weights; the literal surrounding quotes stay, as eventsim emits them.
with open(os.path.join(src, "user-agents.txt"), encoding="utf-16") as f, open(os.path.join(out, "user-agents.tsv"), "w") as o:
    for row in list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
        if len(row) >= 3 and row[1].strip().isdigit():
            o.write(f"{row[1].strip()}\t{row[2]}\n")

# Places: eventsim weighted ZCTAs by 2010 population, a file not in the reference data. The stand-in:
# each county's 2010 population (the county rows of CBSA-EST2013) is shared equally among the GeoNames
# postal codes in that county; postal codes in counties outside any metro or micro area share a small
# rural weight, so they still appear, rarely.
FIPS = {"01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE", "11": "DC", "12": "FL",
        "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME",
        "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE", "32": "NV", "33": "NH",
        "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND", "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI",
        "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV", "55": "WI", "56": "WY"}
RURAL_COUNTY_POPULATION = 10_000
county_pop = {}
with open(os.path.join(src, "CBSA-EST2013-alldata.csv"), encoding="latin-1", newline="") as f:
    for row in csv.DictReader(f):
        stcou = (row.get("STCOU") or "").strip()
        if len(stcou) == 5 and row["LSAD"].startswith("County") and row["CENSUS2010POP"].strip().isdigit():
            state = FIPS.get(stcou[:2])
            if state:
                county_pop[(state, stcou[2:])] = int(row["CENSUS2010POP"])
places = []
with open(os.path.join(src, "US.txt"), encoding="utf-8") as f:
    for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        zip_, city, state, county = row[1], row[2], row[4], row[6]
        if state in FIPS.values() and len(zip_) == 5 and city and row[9] and row[10]:
            places.append((zip_, city, state, county, float(row[9]), float(row[10])))
zips_per_county = defaultdict(int)
for p in places:
    zips_per_county[(p[2], p[3])] += 1
with open(os.path.join(out, "places.tsv"), "w") as o:
    for zip_, city, state, county, lat, lon in places:
        pop = county_pop.get((state, county), RURAL_COUNTY_POPULATION)
        weight = max(1, round(pop / zips_per_county[(state, county)]))
        o.write(f"{zip_}\t{city}\t{state}\t{lat}\t{lon}\t{weight}\n")
