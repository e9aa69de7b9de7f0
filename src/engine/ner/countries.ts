/**
 * Country names in English, for telling an address's country from its city. The gazetteers hold
 * country words one by one (and many cities among them), which cannot say whether "Guinea" ends a
 * place's name or is one; this list holds whole names. Taken from CLDR's English region names
 * (short and long forms; "&" written "and", "St." written "Saint") with the older or common
 * names still written in addresses.
 */
const NAMES = `afghanistan|albania|algeria|american samoa|andorra|angola|anguilla|antigua and barbuda|argentina|
armenia|aruba|australia|austria|azerbaijan|bahamas|bahrain|bangladesh|barbados|belarus|belgium|belize|benin|bermuda|
bhutan|bolivia|bosnia|bosnia and herzegovina|botswana|brazil|british indian ocean territory|british virgin islands|
brunei|bulgaria|burkina faso|burma|burundi|cambodia|cameroon|canada|cape verde|cabo verde|caribbean netherlands|
cayman islands|central african republic|chad|chile|china|christmas island|cocos islands|cocos keeling islands|colombia|
comoros|congo|congo brazzaville|congo kinshasa|cook islands|costa rica|croatia|cuba|curaçao|cyprus|czechia|
czech republic|côte d ivoire|cote d ivoire|ivory coast|denmark|djibouti|dominica|dominican republic|ecuador|egypt|
el salvador|equatorial guinea|eritrea|estonia|eswatini|swaziland|ethiopia|falkland islands|faroe islands|fiji|finland|
france|french guiana|french polynesia|gabon|gambia|georgia|germany|ghana|gibraltar|greece|greenland|grenada|guadeloupe|
guam|guatemala|guernsey|guinea|guinea bissau|guyana|haiti|holy see|honduras|hong kong|hungary|iceland|india|indonesia|
iran|iraq|ireland|isle of man|israel|italy|jamaica|japan|jersey|jordan|kazakhstan|kenya|kiribati|korea|kosovo|kuwait|
kyrgyzstan|laos|latvia|lebanon|lesotho|liberia|libya|liechtenstein|lithuania|luxembourg|macao|macau|madagascar|malawi|
malaysia|maldives|mali|malta|marshall islands|martinique|mauritania|mauritius|mayotte|mexico|micronesia|moldova|monaco|
mongolia|montenegro|montserrat|morocco|mozambique|myanmar|namibia|nauru|nepal|netherlands|new caledonia|new zealand|
nicaragua|niger|nigeria|niue|norfolk island|north korea|north macedonia|macedonia|northern mariana islands|norway|oman|
pakistan|palau|palestine|palestinian territories|panama|papua new guinea|paraguay|peru|philippines|pitcairn|
pitcairn islands|poland|portugal|puerto rico|qatar|romania|russia|russian federation|rwanda|réunion|saint barthélemy|
saint helena|saint kitts and nevis|saint lucia|saint martin|saint pierre and miquelon|saint vincent and grenadines|
samoa|san marino|saudi arabia|senegal|serbia|seychelles|sierra leone|singapore|sint maarten|slovakia|slovenia|
solomon islands|somalia|south africa|south georgia and south sandwich islands|south korea|south sudan|spain|sri lanka|
sudan|suriname|svalbard and jan mayen|sweden|switzerland|syria|são tomé and príncipe|sao tome and principe|taiwan|
tajikistan|tanzania|thailand|timor leste|east timor|togo|tokelau|tonga|trinidad and tobago|tunisia|turkmenistan|
turks and caicos islands|tuvalu|türkiye|turkey|uganda|ukraine|united arab emirates|united kingdom|uk|great britain|
england|scotland|wales|northern ireland|united states|united states of america|usa|us virgin islands|uruguay|
uzbekistan|vanuatu|vatican|vatican city|venezuela|vietnam|viet nam|wallis and futuna|western sahara|yemen|zambia|
zimbabwe|åland islands`;

/** Lower case, "&" as "and", "St." as "Saint", no "the", letters only, single spaces. */
export function normalise(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/(?<!\p{L})st\.\s*/gu, 'saint ')
    .replace(/[^\p{L}]+/gu, ' ')
    .replace(/(?<!\p{L})the(?!\p{L})/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * `normalise` for text of ASCII code units, as a loop: the rule reads a candidate place at each
 * step of an address and each pair of joined place spans, and five regex passes over a few words
 * cost more than the rest of the test. On ASCII, letters are `A-Z`/`a-z`, so the steps above give
 * the letter runs (an `&` one of its own, "and"; "st" right before a dot and after no letter,
 * "saint"), without "the", joined by single spaces. Returns undefined for other text.
 */
export function normaliseAscii(text: string, start: number, end: number): string | undefined {
  let out = '';
  let word = '';
  const flush = (): void => {
    if (word.length > 0 && word !== 'the') out = out.length === 0 ? word : `${out} ${word}`;
    word = '';
  };
  for (let i = start; i < end; i++) {
    let code = text.charCodeAt(i);
    if (code >= 0x80) return undefined;
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code >= 0x61 && code <= 0x7a) {
      word += String.fromCharCode(code);
      continue;
    }
    if (code === 0x2e && word === 'st') word = 'saint';
    flush();
    if (code === 0x26) {
      word = 'and';
      flush();
    }
  }
  flush();
  return out;
}

let countries: ReadonlySet<string> | undefined;

/**
 * True when `text[start, end)` is a country's name ("Rwanda", "Saint Vincent and the Grenadines").
 *
 * @example
 * ```ts
 * isCountryName('to Rwanda', 3, 9); // true
 * isCountryName('Mexico City', 0, 11); // false
 * ```
 */
export function isCountryName(text: string, start: number, end: number): boolean {
  countries ??= new Set(NAMES.split('|').map((name) => normalise(name)));
  return countries.has(normaliseAscii(text, start, end) ?? normalise(text.slice(start, end)));
}
