/**
 * Colours and markers. The Okabe–Ito palette stays distinguishable with the common colour-vision
 * deficiencies (Okabe & Ito, "Color Universal Design", 2008); each series also gets its own
 * marker shape and the legend names it, so colour is never the only cue.
 */
import { presetColour } from '../../backends/designs.js';

export const OKABE_ITO = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'] as const;

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond';
export const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond'];

export interface SeriesStyle {
  readonly colour: string;
  readonly marker: Marker;
}

/** Styles for series names: presets keep their colour (designs.ts); others take the remaining palette in order. */
export function styleSeries(names: readonly string[]): Map<string, SeriesStyle> {
  const used = new Set(names.map((n) => presetColour(n)).filter((c): c is string => c !== undefined));
  const spare = OKABE_ITO.filter((c) => !used.has(c));
  const out = new Map<string, SeriesStyle>();
  let next = 0;
  names.forEach((name, i) => {
    const colour = presetColour(name) ?? spare[next++ % spare.length]!;
    out.set(name, { colour, marker: MARKERS[i % MARKERS.length]! });
  });
  return out;
}
