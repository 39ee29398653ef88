const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

/**
 * The `CERTIFICATE` blocks of a PEM text, in order, each from its BEGIN line to the first END
 * line after it (what `/BEGIN[\s\S]+?END/g` matched). Two `indexOf` scans forward, so linear:
 * the lazy regex rescanned to the end from every BEGIN without an END (XFCC is request data).
 */
export function pemCertificates(text: string): string[] {
  const blocks: string[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin === -1) return blocks;
    // At least one character between the two lines, as `[\s\S]+?` required.
    const end = text.indexOf(END, begin + BEGIN.length + 1);
    if (end === -1) return blocks;
    from = end + END.length;
    blocks.push(text.slice(begin, from));
  }
}
