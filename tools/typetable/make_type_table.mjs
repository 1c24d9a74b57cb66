// Writes data/types.csv: the type table pokegan's `data prepare` reads.
// One row per sprite key: "<national number>" for a species' default look and
// "<national number>-<form slug>" for each named form (the slug is how the Gen V
// sprite files name forms, e.g. 479-heat, 550-blue-striped, 201-exclamation).
// Types are @pkmn/dex's current ones (so Clefairy is Fairy, as in the study's metadata).
// Run: cd tools/typetable && npm ci && node make_type_table.mjs > ../../data/types.csv
import {Dex} from '@pkmn/dex';

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const rows = new Map();
const add = (key, sp) => {
  if (rows.has(key)) return;
  rows.set(key, [key, sp.num, sp.name, sp.types[0], sp.types[1] ?? '']);
};

for (const sp of Dex.species.all()) {
  if (sp.num <= 0 || sp.forme) continue;          // base species only; their formes are visited below
  add(String(sp.num), sp);
  if (sp.baseForme) add(`${sp.num}-${slug(sp.baseForme)}`, sp);
  for (const name of [...(sp.otherFormes ?? []), ...(sp.cosmeticFormes ?? [])]) {
    const forme = Dex.species.get(name);
    if (!forme.exists) continue;
    const suffix = name.slice(sp.name.length + 1);  // "Rotom-Heat" -> "Heat"
    add(`${sp.num}-${slug(suffix)}`, forme);
  }
}

const sorted = [...rows.values()].sort((a, b) => a[1] - b[1] || String(a[0]).localeCompare(String(b[0])));
console.log('key,num,name,type1,type2');
for (const r of sorted) console.log(r.map((v) => (String(v).includes(',') ? `"${v}"` : v)).join(','));
