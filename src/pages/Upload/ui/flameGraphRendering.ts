import { RefObject, useEffect, useMemo, useState } from 'react';
import tinycolor from 'tinycolor2';
import { GrafanaTheme2 } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
// @grafana/flamegraph's own colours and sizes (paths mapped in tsconfig.json, webpack.config.ts and jest.config.js),
// so bars look exactly as the library draws them and its hit testing, which uses the same sizes, still agrees.
import { getBarColorByDiff, getBarColorByPackage, getBarColorByValue } from 'flamegraph-dist/colors';
import {
  BAR_BORDER_WIDTH,
  BAR_TEXT_PADDING_LEFT,
  GROUP_STRIP_MARGIN_LEFT,
  GROUP_STRIP_PADDING,
  GROUP_STRIP_WIDTH,
  GROUP_TEXT_OFFSET,
  HIDE_THRESHOLD,
  LABEL_THRESHOLD,
  MUTE_THRESHOLD,
  PIXELS_PER_LEVEL,
} from 'flamegraph-dist/constants';
import { ColorScheme, ColorSchemeDiff } from 'flamegraph-dist/types';
import { CollapseConfig, LevelItem } from './flameGraphData';

/**
 * The canvas drawing of @grafana/flamegraph's graph, written here and put in place of the library's `rendering.mjs`
 * by the build (`webpack.config.ts`) and the tests (`jest.config.js`), with the same exports and options. The tests
 * draw random graphs with both and require the same bars, colours, labels and grey area.
 *
 * Why: the library adds every bar narrower than 10 px to one `Path2D` and fills it once. A thread with a few hundred
 * narrow call paths makes that one path of thousands of rectangles, and Chromium's software rasteriser (no GPU) spent
 * 45–90 ms on the main thread filling it, inside the task that drew: the upload page's most frequent long task. Here
 * the narrow bars of a row that touch are joined into one rectangle before the fill (the same grey area, a few edges
 * per row instead of two per bar), and the tree is walked with a stack (the library's `shift`/`unshift` walk is
 * quadratic in the tree's width).
 */

/** The parts of the library's data container that drawing reads. */
export interface DrawnData {
  getLabel(index: number): string;
  valueDisplayProcessor(value: number): { text: string; suffix?: string };
}

export interface RenderOptions {
  canvasRef: RefObject<HTMLCanvasElement | null>;
  data: DrawnData;
  root: LevelItem;
  direction: 'children' | 'parents';
  depth: number;
  wrapperWidth: number;
  rangeMin: number;
  rangeMax: number;
  matchedLabels: Set<string> | undefined;
  textAlign: 'left' | 'right';
  totalViewTicks: number;
  totalColorTicks: number;
  totalTicksRight: number | undefined;
  colorScheme: ColorScheme | ColorSchemeDiff;
  focusedItemData?: { item: LevelItem };
  collapsedMap: { get(item: LevelItem): CollapseConfig | undefined };
}

type VisitBar = (
  item: LevelItem,
  x: number,
  y: number,
  width: number,
  height: number,
  label: string,
  muted: boolean
) => void;

/** A bar's left edge in canvas pixels, shifted by the zoom (`rangeMin` of the total). */
export function getBarX(offset: number, totalTicks: number, rangeMin: number, pixelsPerTick: number): number {
  return (offset - totalTicks * rangeMin) * pixelsPerTick;
}

/**
 * Visits the bars to draw, parents before children and siblings left to right (the order the library draws in).
 * Bars under half a pixel are skipped with everything under them; bars of a collapsed group after its first are
 * not drawn, and the rows below move up by one for each.
 */
export function walkTree(
  root: LevelItem,
  direction: 'children' | 'parents',
  data: DrawnData,
  totalViewTicks: number,
  rangeMin: number,
  rangeMax: number,
  wrapperWidth: number,
  collapsedMap: RenderOptions['collapsedMap'],
  visit: VisitBar
): void {
  const pixelsPerTick = (wrapperWidth * window.devicePixelRatio) / totalViewTicks / (rangeMax - rangeMin);
  const items: LevelItem[] = [root];
  const levelOffsets: number[] = [0];
  let collapsedItemRendered: LevelItem | undefined;
  while (items.length > 0) {
    const item = items.pop()!;
    const levelOffset = levelOffsets.pop()!;
    const muted = item.value * pixelsPerTick <= MUTE_THRESHOLD;
    const width = item.value * pixelsPerTick - (muted ? 0 : BAR_BORDER_WIDTH * 2);
    if (width < HIDE_THRESHOLD) {
      continue;
    }
    let offsetModifier = 0;
    let skipRender = false;
    const collapseConfig = collapsedMap.get(item);
    const isCollapsedItem = collapseConfig !== undefined && collapseConfig.collapsed;
    if (isCollapsedItem && collapsedItemRendered === collapseConfig.items[0]) {
      offsetModifier = direction === 'children' ? -1 : 1;
      skipRender = true;
    } else {
      collapsedItemRendered = undefined;
    }
    if (!skipRender) {
      if (isCollapsedItem) {
        collapsedItemRendered = item;
      }
      const x = getBarX(item.start, totalViewTicks, rangeMin, pixelsPerTick);
      const y = (item.level + levelOffset) * PIXELS_PER_LEVEL;
      visit(item, x, y, width, PIXELS_PER_LEVEL, data.getLabel(item.itemIndexes[0]), muted);
    }
    const next = direction === 'children' ? item.children : item.parents;
    if (next) {
      // Pushed last to first, so the first pops first.
      for (let i = next.length - 1; i >= 0; i--) {
        items.push(next[i]);
        levelOffsets.push(levelOffset + offsetModifier);
      }
    }
  }
}

/**
 * The grey area of the bars too narrow to draw one by one: per row, the spans that touch or overlap joined into one.
 * The union is the same as the library's one rectangle per bar; it is the number of edges on a pixel row that the
 * rasteriser's cost follows.
 */
export class MutedArea {
  private readonly rows = new Map<number, number[]>();

  add(x: number, y: number, width: number): void {
    let spans = this.rows.get(y);
    if (!spans) {
      spans = [];
      this.rows.set(y, spans);
    }
    spans.push(x, x + width);
  }

  /** Rectangles `[x, y, width]` (each a row high), spans that touch joined. */
  rectangles(): Array<[number, number, number]> {
    const joined: Array<[number, number, number]> = [];
    for (const [y, spans] of this.rows) {
      const order = Array.from({ length: spans.length / 2 }, (_, i) => i).sort((a, b) => spans[2 * a] - spans[2 * b]);
      let from = spans[2 * order[0]];
      let to = spans[2 * order[0] + 1];
      for (const i of order.slice(1)) {
        // Neighbours' edges are computed separately and can miss each other by a rounding error.
        if (spans[2 * i] <= to + JOIN_TOLERANCE) {
          to = Math.max(to, spans[2 * i + 1]);
        } else {
          joined.push([from, y, to - from]);
          from = spans[2 * i];
          to = spans[2 * i + 1];
        }
      }
      joined.push([from, y, to - from]);
    }
    return joined;
  }
}

/** Far under a pixel: a gap this small is a rounding error, never something to see. */
const JOIN_TOLERANCE = 1e-6;

export function useFlameRender(options: RenderOptions): void {
  const {
    canvasRef,
    data,
    root,
    depth,
    direction,
    wrapperWidth,
    rangeMin,
    rangeMax,
    matchedLabels,
    textAlign,
    totalViewTicks,
    totalColorTicks,
    totalTicksRight,
    colorScheme,
    focusedItemData,
    collapsedMap,
  } = options;
  const ctx = useSetupCanvas(canvasRef, wrapperWidth, depth);
  const theme = useTheme2();
  const mutedColor = useMemo(() => {
    const background = tinycolor(theme.colors.background.secondary);
    return (theme.isLight ? background.darken(10) : background.lighten(10)).toHexString();
  }, [theme]);
  const topLevel = focusedItemData ? focusedItemData.item.level : 0;

  useEffect(() => {
    if (ctx) {
      drawFlameGraph(ctx, {
        data,
        root,
        direction,
        wrapperWidth,
        rangeMin,
        rangeMax,
        matchedLabels,
        textAlign,
        totalViewTicks,
        totalColorTicks,
        totalTicksRight,
        colorScheme,
        collapsedMap,
        theme,
        mutedColor,
        topLevel,
      });
    }
  }, [
    ctx,
    data,
    root,
    direction,
    wrapperWidth,
    rangeMin,
    rangeMax,
    totalViewTicks,
    totalColorTicks,
    totalTicksRight,
    colorScheme,
    matchedLabels,
    textAlign,
    topLevel,
    collapsedMap,
    mutedColor,
    theme,
  ]);
}

type DrawnGraph = Omit<RenderOptions, 'canvasRef' | 'depth' | 'focusedItemData'> & {
  theme: GrafanaTheme2;
  mutedColor: string;
  /** Bars above this level (the focused bar's ancestors) are drawn lighter. */
  topLevel: number;
};

function drawFlameGraph(ctx: CanvasRenderingContext2D, graph: DrawnGraph): void {
  const {
    data,
    root,
    direction,
    wrapperWidth,
    rangeMin,
    rangeMax,
    matchedLabels,
    textAlign,
    totalViewTicks,
    totalColorTicks,
    totalTicksRight,
    colorScheme,
    collapsedMap,
    theme,
    mutedColor,
    topLevel,
  } = graph;
  const colorOf = (item: LevelItem, label: string): string => {
    const barColor =
      item.valueRight !== undefined &&
      (colorScheme === ColorSchemeDiff.Default || colorScheme === ColorSchemeDiff.DiffColorBlind)
        ? getBarColorByDiff(item.value, item.valueRight, totalColorTicks, totalTicksRight as number, colorScheme)
        : colorScheme === ColorScheme.ValueBased
          ? getBarColorByValue(item.value, totalColorTicks, rangeMin, rangeMax)
          : getBarColorByPackage(label, theme);
    if (matchedLabels) {
      return matchedLabels.has(label) ? barColor.toHslString() : mutedColor;
    }
    // The focused bar's ancestors are drawn lighter.
    return item.level > topLevel - 1 ? barColor.toHslString() : barColor.lighten(15).toHslString();
  };

  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const muted = new MutedArea();
  walkTree(
    root,
    direction,
    data,
    totalViewTicks,
    rangeMin,
    rangeMax,
    wrapperWidth,
    collapsedMap,
    (item, x, y, width, height, label, isMuted) => {
      if (isMuted) {
        muted.add(x, y, width);
        return;
      }
      ctx.beginPath();
      ctx.rect(x + BAR_BORDER_WIDTH, y, width, height);
      ctx.fillStyle = colorOf(item, label);
      ctx.stroke();
      ctx.fill();
      // Written so that a width of NaN (an empty view's zero ticks) draws no label, as in the library.
      if (width >= LABEL_THRESHOLD) {
        const collapseConfig = collapsedMap.get(item);
        const text = collapseConfig?.collapsed ? `(${collapseConfig.items.length}) ${label}` : label;
        if (collapseConfig) {
          const textX = textAlign === 'left' ? x + GROUP_STRIP_MARGIN_LEFT + GROUP_TEXT_OFFSET : x;
          drawLabel(ctx, data, text, item, width, textX, y, textAlign);
          drawGroupStrip(ctx, x, y, height, item, collapseConfig);
        } else {
          drawLabel(ctx, data, text, item, width, x, y, textAlign);
        }
      }
    }
  );
  const area = new Path2D();
  for (const [x, y, width] of muted.rectangles()) {
    area.rect(x, y, width, PIXELS_PER_LEVEL);
  }
  ctx.fillStyle = mutedColor;
  ctx.fill(area);
}

function useSetupCanvas(
  canvasRef: RefObject<HTMLCanvasElement | null>,
  wrapperWidth: number,
  numberOfLevels: number
): CanvasRenderingContext2D | undefined {
  const [ctx, setCtx] = useState<CanvasRenderingContext2D>();
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!(numberOfLevels && canvas)) {
      return;
    }
    const context = canvas.getContext('2d')!;
    const height = PIXELS_PER_LEVEL * numberOfLevels;
    canvas.width = Math.round(wrapperWidth * window.devicePixelRatio);
    canvas.height = Math.round(height);
    canvas.style.width = `${wrapperWidth}px`;
    canvas.style.height = `${height / window.devicePixelRatio}px`;
    context.textBaseline = 'middle';
    context.font = 12 * window.devicePixelRatio + 'px monospace';
    context.strokeStyle = 'white';
    setCtx(context);
  }, [canvasRef, wrapperWidth, numberOfLevels]);
  return ctx;
}

/** The bar's name and value, clipped to the bar (the current path); only the name if both do not fit. */
function drawLabel(
  ctx: CanvasRenderingContext2D,
  data: DrawnData,
  label: string,
  item: LevelItem,
  width: number,
  x: number,
  y: number,
  textAlign: 'left' | 'right'
): void {
  ctx.save();
  ctx.clip();
  ctx.fillStyle = '#222';
  const shown = data.valueDisplayProcessor(item.value);
  const value = shown.suffix ? shown.text + shown.suffix : shown.text;
  let text = `${label} (${value})`;
  let textX = Math.max(x, 0) + BAR_TEXT_PADDING_LEFT;
  if (ctx.measureText(label).width > width - BAR_TEXT_PADDING_LEFT) {
    ctx.textAlign = textAlign;
    if (textAlign === 'right') {
      text = label;
      textX = x + width - BAR_TEXT_PADDING_LEFT;
    }
  }
  ctx.fillText(text, textX, y + PIXELS_PER_LEVEL / 2 + 2);
  ctx.restore();
}

/** The strip left of a collapsible group's bars: a short mark when collapsed, a bracket along the group when not. */
function drawGroupStrip(
  ctx: CanvasRenderingContext2D,
  x: number,
  y: number,
  height: number,
  item: LevelItem,
  config: CollapseConfig
): void {
  const stripX = x + GROUP_STRIP_MARGIN_LEFT;
  ctx.beginPath();
  ctx.rect(x, y, stripX - x + GROUP_STRIP_WIDTH + GROUP_STRIP_PADDING, height);
  ctx.fill();
  ctx.beginPath();
  if (config.collapsed) {
    ctx.rect(stripX, y + height / 4, GROUP_STRIP_WIDTH, height / 2);
  } else if (config.items[0] === item) {
    ctx.rect(stripX, y + height / 2, GROUP_STRIP_WIDTH, height / 2);
  } else if (config.items[config.items.length - 1] === item) {
    ctx.rect(stripX, y, GROUP_STRIP_WIDTH, height / 2);
  } else {
    ctx.rect(stripX, y, GROUP_STRIP_WIDTH, height);
  }
  ctx.fillStyle = '#666';
  ctx.fill();
}
