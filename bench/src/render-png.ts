/**
 * SVG to PNG with resvg (Rust, shipped as a prebuilt npm binary): no browser needed.
 *
 * @module
 */
import { Resvg } from '@resvg/resvg-js';

/** Renders `svg` to a PNG at twice its size, so text stays crisp on high-density screens. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
