/**
 * Label names are often identifiers ("card_arrival", "SciTech", "Refund_not_showing_up?").
 * The model reads prose, so names are turned into words before they meet a template.
 */
export function humanizeLabel(label: string): string {
  return label
    .replace(/[_]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/\s*([/&+])\s*/g, ' $1 ')
    .replace(/[?!]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * The sentences a label name is embedded through. Several phrasings average out the quirks of
 * any single one; `text_type` ("support ticket") tells the model what kind of text is judged.
 */
export function labelTemplates(label: string, textType?: string): string[] {
  const words = humanizeLabel(label);
  const kind = textType?.trim() ? textType.trim() : 'text';
  return [
    words,
    `This ${kind} is about ${words}.`,
    `A ${kind} about ${words}.`,
    `The topic of this ${kind} is ${words}.`,
  ];
}

/** A description is embedded with its label in front, so the two read as one definition. */
export function describedLabel(label: string, description: string): string {
  return `${humanizeLabel(label)}: ${description.trim()}`;
}
