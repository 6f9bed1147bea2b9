#!/usr/bin/env python3
"""Writes data/country-names.tsv: the name of every country of data/countries.tsv in each
language the default theme ships, from the Unicode CLDR (the `cldr-localenames-modern` npm
package, version 45; the English names of data/countries.tsv stay as they are).

    npm pack cldr-localenames-modern@45 && tar xzf cldr-localenames-modern-45.0.0.tgz
    python3 data/generate-country-names.py package/main > data/country-names.tsv
"""
import json
import pathlib
import sys

LANGUAGES = ["de", "es", "fr"]

main = pathlib.Path(sys.argv[1])
codes = [line.split("\t")[0] for line in (pathlib.Path(__file__).parent / "countries.tsv").read_text().splitlines()[1:]]
names = {}
for lang in LANGUAGES:
    data = json.loads((main / lang / "territories.json").read_text())
    names[lang] = data["main"][lang]["localeDisplayNames"]["territories"]
print("code\t" + "\t".join(LANGUAGES))
for code in codes:
    row = [names[lang].get(code, "") for lang in LANGUAGES]
    if not all(row):
        sys.exit(f"CLDR has no name for {code} in every language")
    print(code + "\t" + "\t".join(row))
