/**
 * Label names are often identifiers ("card_arrival", "SciTech", "Refund_not_showing_up?").
 * The model reads prose, so names are turned into words before they meet a template.
 */
export function humanizeLabel(label: string): string {
  return label
    .replace(/[_]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/(?:(?<!\s)\s+)?([/&+])\s*/g, ' $1 ') // look-behinds: linear on long runs
    .replace(/(?<![?!])[?!]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * The sentences a label name is embedded through. Many phrasings average out the quirks of any
 * single one (measured: 18 beat 4 on every evaluation set, +0.007 to +0.043 zero-shot, and a
 * subset picked on held-out data did worse than all of them); `text_type` ("support ticket")
 * tells the model what kind of text is judged.
 */
export function labelTemplates(label: string, textType?: string): string[] {
  const w = humanizeLabel(label);
  const k = textType?.trim() ? textType.trim() : 'text';
  return [
    w,
    `This ${k} is about ${w}.`,
    `A ${k} about ${w}.`,
    `The topic of this ${k} is ${w}.`,
    `This is a ${k} about ${w}.`,
    `Category: ${w}`,
    `Is this ${k} about ${w}?`,
    `This ${k} is ${w}.`,
    `${k}: ${w}`,
    `It is ${w}.`,
    `This is ${w}.`,
    `The label is ${w}.`,
    `This ${k} expresses ${w}.`,
    `This ${k} is related to ${w}.`,
    `${w}.`,
    `A sentence about ${w}.`,
    `This ${k} is classified as ${w}.`,
    `It's all about ${w}.`,
  ];
}
