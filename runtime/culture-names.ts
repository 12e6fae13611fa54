// Culture ship names from Iain M. Banks' novels: `agentcom agent add` names a new
// agent after one when the operator gives no name.

export const cultureShipNames: readonly string[] = [
  'So Much For Subtlety',
  'Of Course I Still Love You',
  'Just Read The Instructions',
  'Sleeper Service',
  'Grey Area',
  'Limiting Factor',
  'Little Rascal',
  'Flexible Demeanour',
  'Killing Time',
  'Attitude Adjuster',
  'Frank Exchange Of Views',
  'Fate Amenable To Change',
  'Serious Callers Only',
  'Shoot Them Later',
  'Steely Glint',
  'Different Tan',
  'Not Invented Here',
  'Irregular Apocalypse',
  'No More Mr Nice Guy',
  'Appeal To Reason',
  'Break Even',
  'Yawning Angel',
  'Pure Big Mad Boat Man',
  'Problem Child',
  'Bad For Business',
  'Arbitrary',
  'Conventional Wisdom',
  'Lasting Damage',
  'Experiencing A Significant Gravitas Shortfall',
  'Quietly Confident',
  'Falling Outside The Normal Moral Constraints',
  'Zero Gravitas',
  'Caconym',
  'Just Testing',
  'Empiricist',
  'Passing By And Thought I\'d Drop In',
  'Lightly Seared On The Reality Grill',
  'Displacement Activity',
  'Kiss This Then',
  'Prosthetic Conscience',
  'Hylozoist',
  'Value Judgement',
  'Unfortunate Conflict Of Evidence',
  'Xenophobe',
  'Size Isn\'t Everything',
  'Very Little Gravitas Indeed',
  'Eschatologist',
  'Jaundiced Outlook',
  'Use Psychology',
  'Wisdom Like Silence',
  'Nervous Energy',
  'Profit Margin',
  'Heavy Messing',
  'Me, I\'m Counting',
  'Congenital Optimist',
  'Gunboat Diplomat',
  'Trade Surplus',
  'Ethics Gradient',
  'It\'s Character Forming',
  'Honest Mistake',
  'Youthful Indiscretion',
  'Full Refund',
  'All Through With This Niceness And Negotiation Stuff',
  'Death And Gravity',
  'Liveware Problem',
  'Now We Try It My Way',
  'Poke It With A Stick',
  'Charitable View',
  'Just Another Victim Of The Ambient Morality',
  'Ravished By The Sheer Implausibility Of That Last Statement',
  'The Ends Of Invention',
];

/**
 * The agent id for a ship name: lowercase ASCII letters, digits and single hyphens
 * ("Me, I'm Counting" → "me-im-counting"). Apostrophes vanish rather than split a word,
 * and accents are dropped ("ü" → "u").
 * At most 128 characters, the hub's limit for an agent id.
 */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 128)
    .replace(/-+$/, '');
}
