import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import weights from '../../../src/engine/ner/model/weights.json' with { type: 'json' };
import { MODEL, tagEntities } from '../../../src/engine/ner/recognizer.js';
import { numbersOfSomethingElse } from '../../../src/engine/ner/rules/streets.js';
import { lookupGazetteers } from '../../../src/engine/ner/tagger.js';
import { TokenBuffer, tokenize } from '../../../src/engine/ner/tokenizer.js';

/** `[type, value]` pairs the tagger reports for `text`. */
function found(text: string): [string, string][] {
  return tagEntities(text, 0, text.length).map((f) => [f.type, text.slice(f.start, f.end)]);
}

function values(text: string): string[] {
  return found(text).map(([, value]) => value);
}

describe('ner tokenizer', () => {
  it('keeps apostrophes and hyphens inside names and splits punctuation', () => {
    const text = "Mr O'Neil-Smith, J. R. Tolkien.";
    const buffer = new TokenBuffer();
    tokenize(text, 0, text.length, buffer);
    const tokens = Array.from({ length: buffer.count }, (_, i) => text.slice(buffer.start[i], buffer.end[i]));
    assert.deepEqual(tokens, ['Mr', "O'Neil-Smith", ',', 'J', '.', 'R', '.', 'Tolkien', '.']);
  });
});

describe('ner model', () => {
  it('loads the weights with the feature count the file states', () => {
    assert.equal(MODEL.size, weights.features);
    assert.ok(MODEL.size > 1000);
  });
});

describe('ner tagger: people', () => {
  it('finds a simple name', () => {
    assert.deepEqual(found('Yesterday I met John Smith at the station.'), [['PERSON', 'John Smith']]);
  });
  it('finds an all-caps name', () => {
    assert.deepEqual(values('The form was signed by JOHN SMITH yesterday.'), ['JOHN SMITH']);
  });
  it('finds names with initials', () => {
    assert.deepEqual(values('He was represented by Mr C. Whomersley, a lawyer.'), ['Mr C. Whomersley']);
  });
  it('finds a name written in lower case', () => {
    assert.deepEqual(found('I met roberto yamamura yesterday.'), [['PERSON', 'roberto yamamura']]);
  });
  it('leaves a role word before a name out of the PERSON span', () => {
    assert.deepEqual(found('Employee Maria Garcia signed the form.'), [['PERSON', 'Maria Garcia']]);
    assert.deepEqual(found('Customer Anna Lee paid in cash.'), [['PERSON', 'Anna Lee']]);
    assert.deepEqual(found('Client John Smith'), [['PERSON', 'John Smith']]);
    assert.deepEqual(found('Ask Brittney Einarsdóttir and Jaxon Obuya.'), [
      ['PERSON', 'Brittney Einarsdóttir'],
      ['PERSON', 'Jaxon Obuya'],
    ]);
  });
  it('lets a name no list knows take a surname no list knows', () => {
    assert.deepEqual(found('My name is Brittney Einarsdóttir.'), [['PERSON', 'Brittney Einarsdóttir']]);
    const text = 'lodged by a United Kingdom national, Olubukunola Obasa (“the applicant”), on 5 May 2000.';
    assert.ok(values(text).includes('Olubukunola Obasa'), JSON.stringify(values(text)));
  });
  it('leaves a lower-case everyday word before a capitalised name out of it', () => {
    assert.deepEqual(values("the economy of the band's home city Florida"), ['Florida']);
    // A direction names a part of the place and stays.
    assert.deepEqual(values('She lived in the area of Famagusta, in northern Cyprus. She left.'), [
      'Famagusta',
      'northern Cyprus',
    ]);
  });
  it('reads a first name and a surname the tagger took for a place as a person, except after a preposition of place', () => {
    assert.deepEqual(found('Resident Maria Garcia'), [['PERSON', 'Maria Garcia']]);
    assert.deepEqual(found('Patient: Maria Garcia'), [['PERSON', 'Maria Garcia']]);
    assert.deepEqual(found('She was born in Maria Garcia'), [['LOCATION', 'Maria Garcia']]);
  });
  it('ends a name at a colon, and reads a name after a label as a person', () => {
    assert.deepEqual(found('Emergency Contact: Robert Brown').slice(-1), [['PERSON', 'Robert Brown']]);
  });
  it('finds a first name typed in lower case that the tagger left out, with its surname', () => {
    assert.deepEqual(found('pls follow up with tracy wiśniewska in 2 months'), [
      ['PERSON', 'tracy wiśniewska'],
    ]);
    assert.deepEqual(found('oles shouted at samantha: what are you doing'), [['PERSON', 'samantha']]);
    // Not inside an e-mail address, nor in a phrase ("inter alia complained").
    assert.deepEqual(found('write to jessica.smith@example.com'), []);
    assert.deepEqual(found('the applicants inter alia complained'), []);
  });
  it('finds a capitalised name no list knows between function words, and leaves one before a content word', () => {
    assert.deepEqual(found('He is fine, but Julitta just has to rest.'), [['PERSON', 'Julitta']]);
    assert.deepEqual(found('Before winter we returned to Blaketown by helicopter.'), [
      ['LOCATION', 'Blaketown'],
    ]);
    assert.deepEqual(found('It was a done thing between him and Sumaya’s kid.'), [['PERSON', 'Sumaya']]);
    assert.deepEqual(found('the clubs where Metallica first played'), []);
    // A speaker opening a line of a transcript; a label is no speaker.
    assert.deepEqual(found('Kalman: "Who are you?"\nNote: bring snacks'), [['PERSON', 'Kalman']]);
    // Two such words are one name.
    assert.deepEqual(found('The applicant was represented by Royds Rdw, solicitors in London.')[0], [
      'PERSON',
      'Royds Rdw',
    ]);
    // A place in capitals the tagger left out, after a preposition of place.
    assert.deepEqual(found('Can you resend it? I am in SAINT-DIÉ for a business trip.'), [
      ['LOCATION', 'SAINT-DIÉ'],
    ]);
  });
  it('joins an honorific tagged alone to the person after it', () => {
    assert.deepEqual(found('Mr. Fernandez is a 50 year old man who grew up in Madrid.')[0], [
      'PERSON',
      'Mr. Fernandez',
    ]);
  });
  it('reads the words after "my name is" or "Name:" as a name, in any case', () => {
    assert.deepEqual(found('hi, my name is mieszko and i need help'), [['PERSON', 'mieszko']]);
    assert.deepEqual(found('Name: john smith\nDOB: 1/2/1990'), [['PERSON', 'john smith']]);
    assert.deepEqual(found('The name is not important.'), []);
  });
  it('keeps the honorific inside the PERSON span', () => {
    assert.deepEqual(found('The applicant, Mrs Anna Evagorou Christou, lives there.'), [
      ['PERSON', 'Mrs Anna Evagorou Christou'],
    ]);
  });
  it('leaves a possessive out of a person or place', () => {
    assert.deepEqual(found("We took Kevin Lamovec’s car to Paris's old town."), [
      ['PERSON', 'Kevin Lamovec'],
      ['LOCATION', 'Paris'],
    ]);
  });
  it('keeps an apostrophe that is part of a name', () => {
    assert.deepEqual(values("He flew to the People's Republic of China with Mr O'Neil."), [
      "People's Republic of China",
      "Mr O'Neil",
    ]);
    assert.deepEqual(values("Then we ate at McDonald's."), ["McDonald's"]);
  });
  it('finds hyphenated and apostrophe names', () => {
    assert.deepEqual(values("Please call Mary O'Neil or Peter Smith-Jones."), [
      "Mary O'Neil",
      'Peter Smith-Jones',
    ]);
  });
});

describe('ner tagger: places, organisations, addresses', () => {
  it('finds places (an "address" without a number or street word is a place)', () => {
    assert.deepEqual(found('She moved from Austria to Reykjavík last year.'), [
      ['LOCATION', 'Austria'],
      ['LOCATION', 'Reykjavík'],
    ]);
  });
  it('reads a name ending in a landform word as a place, joined to the place before it', () => {
    assert.deepEqual(found('My friend lives in COOMINGLAH FOREST'), [['LOCATION', 'COOMINGLAH FOREST']]);
    assert.deepEqual(found('We walked through Sherwood Forest yesterday'), [['LOCATION', 'Sherwood Forest']]);
    assert.deepEqual(found('a trip to Victoria Falls'), [['LOCATION', 'Victoria Falls']]);
  });
  it('reads a name the tagger left out right after a lower-case place noun as that place', () => {
    assert.deepEqual(found('She returned to her home city Montevideo last year.'), [
      ['LOCATION', 'Montevideo'],
    ]);
    assert.deepEqual(found('the economy of the home city Wassenaar: fishing.'), [['LOCATION', 'Wassenaar']]);
    // An everyday word after the noun is no place.
    assert.deepEqual(found('the village Idol'), []);
  });
  it('finds organisations, with firm names of the form "A, B and C" as one', () => {
    assert.deepEqual(values('He works for Acme Corp. in sales.'), ['Acme Corp.']);
    // A whole street or organisation word at a sentence end leaves the full stop out.
    assert.deepEqual(values('We were welcomed by Dr Anne Hill.'), ['Dr Anne Hill']);
    assert.deepEqual(values('She lives on Baker Street.'), ['Baker Street']);
    assert.deepEqual(found('The contract with Graham, Ochoa and Vasquez was signed.'), [
      ['ORGANIZATION', 'Graham, Ochoa and Vasquez'],
    ]);
  });
  it('reads a brand and a company word as one organisation', () => {
    assert.deepEqual(found('Our suppliers: Ceiba Solutions, Seeclickfix and Hubbard-Thomas.').slice(0, 1), [
      ['ORGANIZATION', 'Ceiba Solutions'],
    ]);
  });
  it('reads an item left out between two organisations of a list as an organisation', () => {
    assert.deepEqual(found('Our vendors: Zentrixa Holdings, Quorbit and Lumavale Ltd.'), [
      ['ORGANIZATION', 'Zentrixa Holdings'],
      ['ORGANIZATION', 'Quorbit'],
      ['ORGANIZATION', 'Lumavale Ltd.'],
    ]);
  });
  it('reads three brand names no list knows as surnames as three names, not one firm', () => {
    assert.deepEqual(values('The buyers chose Zentrixa, Quorbit and Lumavale as suppliers.'), [
      'Zentrixa',
      'Quorbit',
      'Lumavale',
    ]);
  });
  it('reads three surnames as "A, B and C" after a lower-case "the" as one firm', () => {
    assert.deepEqual(found('The fees are listed on the Hubbard, Fox and Gillespie website.'), [
      ['ORGANIZATION', 'Hubbard, Fox and Gillespie'],
    ]);
    assert.ok(!values('We waved the Red, White and Blue flags.').includes('Red, White and Blue'));
  });
  it('reads the end of a longer list of names as people, not a firm', () => {
    assert.deepEqual(values('The team: Malon, Mark, Kaylee, Brandi, Miguel and Jennifer went home.'), [
      'Malon',
      'Mark',
      'Kaylee',
      'Brandi',
      'Miguel',
      'Jennifer',
    ]);
  });
  it('reads "A, B and C" after a plural noun and a colon as people', () => {
    const founders = values('Smith Ltd. is the brainchild of our 3 founders: Kovalev, Lee and Phillips.');
    assert.ok(
      founders.includes('Kovalev') && !founders.includes('Kovalev, Lee and Phillips'),
      JSON.stringify(founders),
    );
    assert.deepEqual(values('Our counsel: Graham, Ochoa and Vasquez.'), ['Graham, Ochoa and Vasquez']);
  });
  it('reads every word of a list as a person when one of them is, but not a list of places', () => {
    assert.deepEqual(found('The clinic was started by our 3 founders: Kovalev, Lee and Phillips.'), [
      ['PERSON', 'Kovalev'],
      ['PERSON', 'Lee'],
      ['PERSON', 'Phillips'],
    ]);
    assert.deepEqual(values('Our founders: Leehy, Perkins and Copeland.'), ['Leehy', 'Perkins', 'Copeland']);
    assert.ok(
      !found('We visited Paris, Lyon and Marseille today.').some(
        ([type, value]) => type === 'PERSON' && /Lyon|Marseille/.test(value),
      ),
    );
    // In lower case too, and a list of things stays unreported.
    assert.deepEqual(values('it is the brainchild of our 3 founders: bulgakov, ali and howard. the idea'), [
      'bulgakov',
      'ali',
      'howard',
    ]);
    assert.deepEqual(values('i bought apples, pears and plums.'), []);
  });
  it('splits the last "and" off a list of organisations', () => {
    assert.deepEqual(
      values('The economy of Winschoten: Logixdata LLC, Social Health Insights and Sigfig. Wow'),
      ['Winschoten', 'Logixdata LLC', 'Social Health Insights', 'Sigfig'],
    );
    assert.deepEqual(
      values(
        'Home city: Department Of Better Technology, Hoover, Morris and Johnson and Open Data Nation.',
      ).slice(-2),
      ['Hoover, Morris and Johnson', 'Open Data Nation'],
    );
    // After another item and a comma, whatever that item was read as.
    assert.deepEqual(found('The clients: Zentrixa, Arrive Labs and Buildzoom signed.'), [
      ['PERSON', 'Zentrixa'],
      ['ORGANIZATION', 'Arrive Labs'],
      ['ORGANIZATION', 'Buildzoom'],
    ]);
  });
  it('keeps a person with an honorific out of a firm name', () => {
    assert.deepEqual(found('The contract with Mr Graham, Ochoa and Vasquez was signed.')[0], [
      'PERSON',
      'Mr Graham',
    ]);
  });
  it('leaves a sentence-initial "The" out of an organisation, except before a nationality', () => {
    assert.deepEqual(found('The Social Explorer office is at 37 Parva Domus 6')[0], [
      'ORGANIZATION',
      'Social Explorer',
    ]);
    assert.deepEqual(found('The Swedish Government replied.'), [['ORGANIZATION', 'The Swedish Government']]);
  });
  it('finds company names that end in a legal form', () => {
    assert.deepEqual(
      found('Although Viasat AB had acquired the rights, it paid Viasat Broadcasting UK Ltd nothing.'),
      [
        ['ORGANIZATION', 'Viasat AB'],
        ['ORGANIZATION', 'Viasat Broadcasting UK Ltd'],
      ],
    );
  });
  it('finds the name of a body that ends in a body word, with two words or more before it', () => {
    assert.deepEqual(
      found('She was helped by a legal officer with the Child Poverty Action Group in Leeds.')[0],
      ['ORGANIZATION', 'Child Poverty Action Group'],
    );
    // A longer name the tagger found keeps its words.
    assert.deepEqual(
      values(
        'On 27 June 1995, the Royal Pharmaceutical Society of Great Britain decided to remove him.',
      ).slice(-1),
      ['Royal Pharmaceutical Society of Great Britain'],
    );
  });
  it('takes a name in brackets after a court and a lower-case institution word', () => {
    assert.deepEqual(values('The claim was dismissed by the Supreme Court (Högsta domstolen) in 2009.'), [
      'Supreme Court (Högsta domstolen)',
    ]);
    assert.deepEqual(found('The Court of Appeal upheld the decision of the Beyoğlu court.'), [
      ['ORGANIZATION', 'Court of Appeal'],
      ['ORGANIZATION', 'Beyoğlu court'],
    ]);
    assert.deepEqual(found('He was arrested at Catterick garrison in 1997.'), [
      ['ORGANIZATION', 'Catterick garrison'],
    ]);
  });
  it('joins a body and its acting part, and a court with its level or its seat', () => {
    assert.deepEqual(found('The case was transferred to the Third Chamber of the Bursa Regional Court.'), [
      ['ORGANIZATION', 'Third Chamber of the Bursa Regional Court'],
    ]);
    assert.deepEqual(found('The Antalya Civil Court of First-instance awarded him'), [
      ['ORGANIZATION', 'Antalya Civil Court of First-instance'],
    ]);
    assert.deepEqual(found('By a decision the District Court in Kielce remanded him'), [
      ['ORGANIZATION', 'District Court in Kielce'],
    ]);
    // A quoted name takes its quotation marks, and a bracket it opened takes its closing one.
    assert.deepEqual(found('now part of the “Northern Coastal University”. In support'), [
      ['ORGANIZATION', '“Northern Coastal University”'],
    ]);
    assert.deepEqual(found('a lawyer practising in Gaziantep (Turkey). The'), [
      ['LOCATION', 'Gaziantep (Turkey)'],
    ]);
    // Lower case describes the level rather than naming the court.
    assert.deepEqual(found('The Konya Civil Court of first-instance awarded him'), [
      ['ORGANIZATION', 'Konya Civil Court'],
    ]);
  });
  it('leaves a defined term or a remark in brackets out of an organisation, and keeps a name there', () => {
    assert.deepEqual(values('The Turkish Government (“the Government”) were represented by their Agent.'), [
      'The Turkish Government',
    ]);
    assert.deepEqual(values('membership of the PKK (the Kurdistan Workers’ Party) was'), [
      'PKK (the Kurdistan Workers’ Party)',
    ]);
    assert.deepEqual(values('the Court of Cassation (yargıtay) upheld it'), [
      'Court of Cassation (yargıtay)',
    ]);
  });
  it('finds a multi-line address as one span', () => {
    const text = 'Meet me at 95 Avenue des Tuileries\n Apt. 831\n Guéret\n France 30046';
    assert.deepEqual(found(text), [
      ['STREET_ADDRESS', '95 Avenue des Tuileries\n Apt. 831\n Guéret\n France 30046'],
    ]);
  });
  it('gives a tagged street line the house number before it and lower-case places after it', () => {
    const text = 'john gave me his address: 46 velký průhon 426, opocnice';
    assert.deepEqual(found(text).slice(-1), [['STREET_ADDRESS', '46 velký průhon 426, opocnice']]);
  });
  it('reports no place inside the lines an address took', () => {
    const text = 'Knoema\n\n99 82 Maidstone Road\n Apt. 224\n WELLINGTON MARSH\n Armenia 03622';
    assert.deepEqual(found(text).slice(1), [
      ['STREET_ADDRESS', '99 82 Maidstone Road\n Apt. 224\n WELLINGTON MARSH\n Armenia 03622'],
    ]);
    // A place after the address (not one of its lines) is still reported.
    assert.deepEqual(found('Ship to 82 Maidstone Road, Leeds. I am in Armenia now.').slice(-1), [
      ['LOCATION', 'Armenia'],
    ]);
  });
  it('reports a district and its city, or a city and its country, as one place, but not a list of places', () => {
    assert.deepEqual(found('The flat is located in Beyoğlu, Istanbul. The applicant filed'), [
      ['LOCATION', 'Beyoğlu, Istanbul'],
    ]);
    assert.deepEqual(found('She was born in Lyon, France, in 1950.'), [['LOCATION', 'Lyon, France']]);
    assert.ok(!values('We visited Paris, London and Rome.').includes('Paris, London'));
  });
  it('reads a country whose name the tagger splits at "and the" as one place', () => {
    assert.deepEqual(found('She moved here from Saint Vincent and the Grenadines in May.'), [
      ['LOCATION', 'Saint Vincent and the Grenadines'],
    ]);
    assert.deepEqual(values('She moved here from Saint Vincent and then to Grenada.'), [
      'Saint Vincent',
      'Grenada',
    ]);
  });
  it('reads a kind of place, "of" and a name as one place', () => {
    assert.deepEqual(found('The flat was outside the Borough of Southwark and therefore far from work.'), [
      ['LOCATION', 'Borough of Southwark'],
    ]);
  });
  it('leaves a sentence-final full stop out of a name', () => {
    assert.deepEqual(values('She moved from Austria to Reykjavík.'), ['Austria', 'Reykjavík']);
    assert.deepEqual(values('He was represented by Mr C. Whomersley, a lawyer.'), ['Mr C. Whomersley']);
  });
  it('finds a nationality', () => {
    // TAB marks the whole phrase as the demographic attribute.
    assert.deepEqual(found('The applicant is a Turkish national.'), [['NRP', 'Turkish national']]);
    assert.deepEqual(found('The applicants are of Kurdish origin.'), [['NRP', 'Kurdish']]);
  });
});

describe('ner tagger: a name never ends in a function word', () => {
  it('ends an organisation or a place at its last name word, before the words that link it on', () => {
    assert.deepEqual(
      found('He asked the Bursa Administrative Court and the payment of his salary was ordered.'),
      [['ORGANIZATION', 'Bursa Administrative Court']],
    );
    assert.deepEqual(found('He was taken to the Konya Military Hospital for an eye-sight problem.'), [
      ['ORGANIZATION', 'Konya Military Hospital'],
    ]);
    assert.deepEqual(values('He stayed in the United Kingdom in the period after the damage.'), [
      'United Kingdom',
    ]);
    assert.deepEqual(values('He studied at Graz University for a new degree.'), ['Graz University']);
  });
  it('keeps function words inside a name', () => {
    assert.deepEqual(values('She moved to the Republic of Turkey in 1990.'), ['Republic of Turkey']);
  });
});

describe('ner tagger: job titles', () => {
  it('finds a job title in apposition to a name', () => {
    assert.deepEqual(
      found('Priya Natarajan, the Senior wind turbine technician, said the blades were fine.'),
      [
        ['PERSON', 'Priya Natarajan'],
        ['JOB_TITLE', 'Senior wind turbine technician'],
      ],
    );
    assert.deepEqual(found('The order was signed by Tomas Lindqvist, head of procurement, on Monday.'), [
      ['PERSON', 'Tomas Lindqvist'],
      ['JOB_TITLE', 'head of procurement'],
    ]);
    assert.deepEqual(found('Ms Ruth Evans, a retired schoolteacher, lived alone.'), [
      ['PERSON', 'Ms Ruth Evans'],
      ['JOB_TITLE', 'retired schoolteacher'],
    ]);
  });
  it('finds a job title on the line under a name, also where the tagger ran the name into it', () => {
    assert.deepEqual(found("Helen Marsh\nConsultant Cardiologist\nSt Anne's Hospital").slice(0, 2), [
      ['PERSON', 'Helen Marsh'],
      ['JOB_TITLE', 'Consultant Cardiologist'],
    ]);
    assert.deepEqual(
      found('Best wishes,\n\nMichael Brandt\nSenior software engineer\nNorthwind Traders').slice(1, 3),
      [
        ['PERSON', 'Michael Brandt'],
        ['JOB_TITLE', 'Senior software engineer'],
      ],
    );
  });
  it('leaves relations, parties, longer phrases and lists of names alone', () => {
    assert.deepEqual(found('Mary Johnson, the mother, said she was worried.'), [['PERSON', 'Mary Johnson']]);
    assert.deepEqual(found("John Miller, the applicant's father, stated that he had left."), [
      ['PERSON', 'John Miller'],
    ]);
    assert.deepEqual(found('Ms Ruth Evans, the other applicant, lived alone.'), [
      ['PERSON', 'Ms Ruth Evans'],
    ]);
    assert.deepEqual(found('Anna Berg, the owner of the shop, said it was closed.'), [
      ['PERSON', 'Anna Berg'],
    ]);
    assert.deepEqual(found('The firm Smith, Baker and Taylor was founded in 1990.'), [
      ['ORGANIZATION', 'Smith, Baker and Taylor'],
    ]);
  });
});

describe('ner tagger: negatives', () => {
  it('drops everyday words of a work title cut short in a Title Case run', () => {
    assert.deepEqual(found('The critics say that The Great Silver Horse Came For Me was her best song.'), []);
    assert.deepEqual(found('"Big yellow taxi" of The Big Yellow Taxi Took My Girl is a protest song.'), []);
  });
  it('does not read a month as a capitalised function word of a heading', () => {
    assert.deepEqual(found('On 12 May 2003 the Regional Court dismissed the appeal.'), [
      ['ORGANIZATION', 'Regional Court'],
    ]);
  });
  it('ignores capitalised sentence starts and a name-like word after a modal verb', () => {
    assert.deepEqual(values('The weather is nice. However, it may rain. Follow the signs.'), []);
  });
  it('ignores months and weekdays', () => {
    assert.deepEqual(values('The hearing was held on Monday 3 May 2021.'), []);
  });
  it('ignores "Will" as a verb at a question start', () => {
    assert.deepEqual(values('Will my account stay active?'), []);
  });
  it('does not read a command word before an e-mail address as a place', () => {
    assert.deepEqual(values('Mail jane@example.org for details.'), []);
  });
  it('does not tag prices and counts', () => {
    assert.deepEqual(values('They sell at 12.50 each, 3 of them.'), []);
    assert.deepEqual(values('I have 3 dogs and 2 cats.'), []);
  });
  it('drops lone everyday words whose capital comes from their position or a line of capitals', () => {
    assert.deepEqual(values('Battery life is poor. SPEAK to the manager, it is a good idea.'), []);
  });
  it('drops a lone lower-case everyday word that is also a name, and capitals with a word that is no name', () => {
    assert.deepEqual(values('The idea was born while they were building another start-up idea.'), []);
    assert.deepEqual(values('CAN I SPEAK TO A REAL PERSON?'), []);
  });
  it('drops everyday words in a Title Case heading, but keeps a full name there', () => {
    assert.deepEqual(values('Read my review: Ten Songs You Are Supposed To Hate (But Secretly Love)'), []);
    assert.deepEqual(values('Tonight: A Night With Rose Smith'), ['Rose Smith']);
  });
  it('drops a lone capitalised everyday word after a determiner ("the Constitutional Law")', () => {
    assert.deepEqual(values('The court held that the Constitutional Law did not apply.'), []);
    // A capitalised article opening a title, "a" and plurals of everyday words too.
    assert.deepEqual(
      values('She published her first story, "The Dimensions of a Shadow", in a magazine.'),
      [],
    );
  });
  it('drops a span of numbers and function words, and words of an identifier', () => {
    assert.deepEqual(values('Songs Of The 70s'), []);
    assert.deepEqual(values('SELECT name FROM users WHERE client_ip = 1'), []);
    assert.deepEqual(values('He works at 3M in Minnesota.'), ['3M', 'Minnesota']);
  });
  it('keeps a lone lower-case name that is no everyday word', () => {
    assert.deepEqual(found('i met abelardo yesterday'), [['PERSON', 'abelardo']]);
  });
  it('keeps everyday words that are also names, and names in capitals', () => {
    assert.deepEqual(found('I met Rose Miller yesterday.'), [['PERSON', 'Rose Miller']]);
    assert.deepEqual(found('Patient: JOHN SMITH'), [['PERSON', 'JOHN SMITH']]);
  });
  it('leaves a repeated street word out of the street', () => {
    assert.deepEqual(values('I live on Adams Street street in the city.'), ['Adams Street']);
    assert.deepEqual(values('The office is at Hochstrasse 96 street.'), ['Hochstrasse 96']);
    assert.deepEqual(values('The shows on Bezrukov Street Street were important.'), ['Bezrukov Street']);
    assert.deepEqual(values('The title refers to Bem rakpart 79. street in Budapest.'), [
      'Bem rakpart 79.',
      'Budapest',
    ]);
    assert.deepEqual(values('The title refers to 87 Rue Joseph Vernet street in Lyon.'), [
      '87 Rue Joseph Vernet',
      'Lyon',
    ]);
  });
  it('keeps a street word that is part of the name', () => {
    assert.deepEqual(values('The shows on Park Street were important.'), ['Park Street']);
    assert.deepEqual(values('She lives at 4 Rue du Parc in Lyon.'), ['4 Rue du Parc', 'Lyon']);
  });
  it('splits a list of addresses at ", and"', () => {
    const spans = values(
      'My addresses: 10 Kromwater 38 Suite 865 Zoetermeer Norway, and 19 Brisas 8080\nNORSBORG, nan 33816',
    );
    assert.ok(spans.includes('10 Kromwater 38 Suite 865 Zoetermeer Norway'), JSON.stringify(spans));
    assert.ok(!spans.some((v) => v.includes(', and')), JSON.stringify(spans));
    // Not an address: a firm name keeps its "and".
    assert.deepEqual(values('The contract with Graham, Ochoa and Vasquez was signed.'), [
      'Graham, Ochoa and Vasquez',
    ]);
  });
  it('leaves a line of numbers that runs on past an address out of it: a phone number, not a postcode', () => {
    const text =
      'Nera Economic Consulting\n74 106 Kate Edger Place, BINSTED, Vatican City\n69 987 88 37 office';
    assert.deepEqual(found(text), [
      ['ORGANIZATION', 'Nera Economic Consulting'],
      ['STREET_ADDRESS', '74 106 Kate Edger Place, BINSTED, Vatican City'],
    ]);
    // A postcode alone on the line after the address stays in it.
    assert.deepEqual(values('Send it to 98 P.O. Box 101\n Suite 242\n Qeqertarsuaq\n\n Greece 79976'), [
      '98 P.O. Box 101\n Suite 242\n Qeqertarsuaq\n\n Greece 79976',
    ]);
  });
  it('ends a name or organisation at a blank line or a line that starts with a number', () => {
    assert.deepEqual(
      found('Marta Kovac\nQuorbitdata\n14 Lindbo Östergärde 22\n Suite 310\n ANGERED\n Mali'),
      [
        ['PERSON', 'Marta Kovac'],
        ['ORGANIZATION', 'Quorbitdata'],
        ['STREET_ADDRESS', '14 Lindbo Östergärde 22\n Suite 310\n ANGERED\n Mali'],
      ],
    );
    assert.deepEqual(
      values('Zentrixa Digital Services\n\nMira and Truhlářská 41')[0],
      'Zentrixa Digital Services',
    );
  });
  it('drops a tagged address whose only number is something else: an amount, a day, a reference', () => {
    assert.deepEqual(found('the Council 40% of the money'), []);
    // The rule on its own, over the first two words of each text as the tagger's address.
    const firstTwoWords = (text: string): boolean => {
      const tokens = new TokenBuffer();
      tokenize(text, 0, text.length, tokens);
      const gaz = new Int32Array(tokens.count);
      lookupGazetteers(tokens, gaz);
      const ctx = { text, tokens, gaz, tags: new Int8Array(tokens.count), listStarts: [], placeStarts: [] };
      return numbersOfSomethingElse(ctx, { tag: 0, first: 0, last: 1, margin: 1 });
    };
    assert.equal(firstTwoWords('Between 14 November 2003'), true);
    assert.equal(firstTwoWords('Chapters 5 and 6'), true);
    assert.equal(firstTwoWords('Council 40 % of it'), true);
    assert.equal(firstTwoWords('Kennedy 14 in Famagusta'), false);
    assert.equal(firstTwoWords('Street 14 November'), false);
  });
  it('ends a tagged address before the sentence that follows it', () => {
    assert.deepEqual(values('Ship it to 00 2326 Parkdale Avenue Apt. 676 Hamilton ON for post'), [
      '00 2326 Parkdale Avenue Apt. 676 Hamilton ON',
    ]);
    assert.deepEqual(values('I live at 75 Auerstrasse 12 Apt. 974 Lyss and I like it').slice(-1), [
      '75 Auerstrasse 12 Apt. 974 Lyss',
    ]);
    // Lower-case lines of the address itself stay.
    assert.ok(
      values('I moved to 11 via goffredo mameli 149\n suite 268').includes(
        '11 via goffredo mameli 149\n suite 268',
      ),
    );
  });
  it('reads words ending in a street type as a street, with its house number', () => {
    assert.deepEqual(found('I lived at 1599 Old Spallumcheen Rd for years.'), [
      ['STREET_ADDRESS', '1599 Old Spallumcheen Rd'],
    ]);
    assert.deepEqual(found('The Supreme Court ruled.'), [['ORGANIZATION', 'Supreme Court']]);
  });
  it('lets a lone first name take the rare surname after it, but never a week day or a common word', () => {
    assert.deepEqual(found('My name is Sarah Iwase.'), [['PERSON', 'Sarah Iwase']]);
    assert.deepEqual(found('We thanked Sarah Friday for coming.'), [['PERSON', 'Sarah']]);
    assert.deepEqual(found('call mary soon about it'), [['PERSON', 'mary']]);
  });
  it('takes a first name the tagger left out before a surname, and stops a name at a labelled number', () => {
    assert.deepEqual(found('Patient Jane Doe was admitted.'), [['PERSON', 'Jane Doe']]);
    assert.deepEqual(found('Patient Jane Doe, SSN 536-22-1245'), [['PERSON', 'Jane Doe']]);
    // A month is never taken as a first name.
    assert.ok(!found('We met in May London after.').some(([, value]) => value.includes('May')));
  });
  it('reads a month and a year as a date, not as a street and house number', () => {
    assert.deepEqual(values('Signed on 12 Jan 2024 at noon.'), []);
    assert.deepEqual(found('She lives at 12 Oak Street.'), [['STREET_ADDRESS', '12 Oak Street']]);
  });
  it('keeps a greeting out of the name', () => {
    assert.deepEqual(found('Hi Danival, how are you?'), [['PERSON', 'Danival']]);
  });
});

describe('ner tagger: adversarial input', () => {
  it('finishes on 100 KB of pathological text', { timeout: 10000 }, () => {
    for (const text of [
      'A'.repeat(100000),
      'Aa '.repeat(33000),
      'A. '.repeat(33000),
      '\u0000\uD800x'.repeat(30000),
    ]) {
      const findings = tagEntities(text, 0, text.length);
      for (const f of findings) assert.ok(f.start >= 0 && f.end <= text.length && f.start < f.end);
    }
  });
});

describe('ner tagger: sentence starts', () => {
  it('does not read a contraction at a sentence start as a name', () => {
    assert.deepEqual(values("Don't worry about it."), []);
  });
  it('keeps a known name at a sentence start', () => {
    assert.deepEqual(found('Peter called yesterday.'), [['PERSON', 'Peter']]);
  });
});
