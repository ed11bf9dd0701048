// Finds the series selectors (metric name + label matchers) in a PromQL expression, so tests can check
// every metric and label the rules and dashboards use against the runtime contract. Syntax is checked
// elsewhere by the real parser (promtool); this only has to be right for valid expressions.

export interface Matcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string };

const aggregations = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);
/** Keywords followed by a parenthesised label list, which is not a selector. */
const labelListKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const otherKeywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s+|#[^\n]*|("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)|([a-zA-Z_:][\w:]*)|(\d[\w.]*)|(=~|!~|!=|==|<=|>=|.)/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(expr)) !== null) {
    const [, string, ident, number, punct] = match;
    // Raw text between the quotes: label values here never need unescaping to be compared.
    if (string !== undefined) tokens.push({ kind: 'string', text: string.slice(1, -1) });
    else if (ident !== undefined) tokens.push({ kind: 'ident', text: ident });
    else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (punct !== undefined) tokens.push({ kind: 'punct', text: punct });
  }
  return tokens;
}

export function selectorsIn(expr: string): Selector[] {
  const tokens = tokenize(expr);
  const selectors: Selector[] = [];
  const at = (i: number) => tokens[i]?.text;
  const skipPast = (i: number, close: string) => {
    while (i < tokens.length && at(i) !== close) i++;
    return i + 1;
  };
  const readMatchers = (i: number): [Matcher[], number] => {
    const matchers: Matcher[] = [];
    i++; // '{'
    while (i < tokens.length && at(i) !== '}') {
      if (at(i) === ',') {
        i++;
        continue;
      }
      matchers.push({ label: at(i) ?? '', op: at(i + 1) as Matcher['op'], value: at(i + 2) ?? '' });
      i += 3;
    }
    return [matchers, i + 1];
  };

  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.text === '[') {
      i = skipPast(i, ']'); // range or subquery duration
    } else if (token.kind === 'ident' && labelListKeywords.has(token.text)) {
      i = at(i + 1) === '(' ? skipPast(i + 1, ')') : i + 1;
    } else if (
      token.kind === 'ident' &&
      (aggregations.has(token.text) || otherKeywords.has(token.text) || at(i + 1) === '(')
    ) {
      i++; // function, aggregation or operator keyword
    } else if (token.kind === 'ident') {
      const [matchers, next] = at(i + 1) === '{' ? readMatchers(i + 1) : [[], i + 1];
      selectors.push({ metric: token.text, matchers });
      i = next;
    } else if (token.text === '{') {
      const [matchers, next] = readMatchers(i);
      const name = matchers.find((m) => m.label === '__name__' && m.op === '=');
      selectors.push({ metric: name?.value ?? '', matchers: matchers.filter((m) => m !== name) });
      i = next;
    } else {
      i++;
    }
  }
  return selectors;
}
