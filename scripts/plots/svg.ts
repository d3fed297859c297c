/**
 * What every chart of the guides shares: the house style of its title and frame, and rendering a
 * Vega-Lite spec to SVG with Vega on the server (no canvas, no browser).
 */
import * as vega from 'vega'
import * as vl from 'vega-lite'

/** The title: left-aligned over the plot, its subtitle lines under it. */
export const titleStyle = { anchor: 'start', offset: 12, frame: 'group' } as const

/**
 * The frame: sized by hand (text widths are estimated without a canvas, generously, so the view is
 * not autosized), on white, in a sans-serif font, with no border around the plot.
 */
export const frameStyle = {
  autosize: { type: 'none' },
  background: 'white',
  config: { font: 'Helvetica, Arial, sans-serif', view: { stroke: null } }
} as const

/** Renders a chart to an SVG string, newline-terminated. */
export const toSvg = async (spec: vl.TopLevelSpec): Promise<string> => {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' })
  try {
    return `${await view.toSVG()}\n`
  } finally {
    view.finalize()
  }
}
