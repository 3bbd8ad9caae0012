import { describe, expect, it } from 'vitest';
import { boundedText, SEARCH_TEXT_MAX, SearchText } from '../../src/store/searchText';

describe('boundedText', () => {
  it('keeps a string as it is and writes a structure as JSON, lowercased', () => {
    expect(boundedText('Line one\n"Quoted"', 100)).toBe('line one\n"quoted"');
    expect(boundedText({ Q: 'Capital?', n: [1, true, null], skip: undefined }, 100)).toBe(
      '{"q":"capital?","n":[1,true,null]}',
    );
    expect(boundedText(undefined, 100)).toBe('');
    expect(boundedText(null, 100)).toBe('');
    expect(boundedText(42, 100)).toBe('42');
  });

  it('stops at the cap without walking the rest of a huge or deep value', () => {
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, 'value '.repeat(10)]));
    expect(boundedText(wide, 500)).toHaveLength(500);
    expect(boundedText(wide, 500).startsWith('{"key0":"value value')).toBe(true);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(boundedText(deep, 5000)).not.toContain('bottom'); // deeper than the walk goes, and no stack overflow
    expect(boundedText('x'.repeat(1_000_000), 10)).toBe('xxxxxxxxxx');
  });
});

describe('SearchText', () => {
  it('holds the input, the output and each distinct span name or model once, lowercased', () => {
    const s = new SearchText();
    s.setInputOutput({ question: 'Where?' }, 'Paris');
    for (const name of ['LLM', 'retrieve', 'LLM', 'gpt-4o', 'retrieve', undefined, '']) s.addTerm(name);
    expect(s.text()).toBe('{"question":"where?"}\nparis\nllm\nretrieve\ngpt-4o');
  });

  it('keeps a name once whatever its case, and finds terms noted in any number before the text is made', () => {
    const s = new SearchText();
    for (let i = 0; i < 1000; i++) s.addTerm(i % 2 ? 'Chat' : 'CHAT'); // more than are noted before being looked at
    s.addTerm('retrieve');
    expect(s.text()).toBe('\n\nchat\nretrieve');
  });

  it('returns the same string until something changes', () => {
    const s = new SearchText();
    s.setInputOutput('a', 'b');
    const first = s.text();
    s.addTerm('a'.repeat(20)); // new text
    expect(s.text()).not.toBe(first);
    const second = s.text();
    s.addTerm('a'.repeat(20)); // seen already
    expect(s.text()).toBe(second);
  });

  it('never exceeds its cap, sharing it between a long input and a short output', () => {
    const s = new SearchText();
    s.setInputOutput('i'.repeat(50_000), 'the short output');
    for (let i = 0; i < 10_000; i++) s.addTerm(`span name ${i}`);
    const text = s.text();
    expect(text.length).toBeLessThanOrEqual(SEARCH_TEXT_MAX);
    expect(text).toContain('\nthe short output\n'); // the short one whole
    expect(text).toContain('span name 0\n');
    expect(text).not.toContain('span name 9999');
    s.setInputOutput('i'.repeat(50_000), 'o'.repeat(50_000)); // both long: half each
    const both = s.text();
    expect(both.length).toBeLessThanOrEqual(SEARCH_TEXT_MAX);
    expect(both.split('i').length - 1).toBeGreaterThan(1000);
    expect(both.split('o').length - 1).toBeGreaterThan(1000);
  });
});
