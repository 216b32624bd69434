import fc from 'fast-check';
import path from 'path';
import { createDataFrame, createTheme, DataFrame, FieldType } from '@grafana/data';
import {
  checkFields,
  CollapsedMap,
  FlameGraphDataContainer,
  getMessageCheckFieldsResult,
  LevelItem,
  nestedSetToLevels,
} from '../flameGraphData';
import { callTrees } from '../../../../../tests/helpers/callTrees';

// The library's own data container, required by file: the name the library itself imports it by is mapped to the
// plugin's (jest.config.js), and the package exports only its index.
const library = require(
  path.join(__dirname, '../../../../../node_modules/@grafana/flamegraph/dist/cjs/FlameGraph/dataTransform.cjs')
);

const theme = createTheme();
const NAMES = ['total', 'main', 'run', 'a.py:f', 'b.py:g', 'c', '__proto__', 'toString', '', '0'];

interface Frame {
  level: number[];
  label: string[];
  value: number[];
  self: number[];
  /** With `valueRight` and `selfRight`: a diff graph. */
  right?: { value: number[]; self: number[] };
  /** Labels as an enum field (indices into the distinct names) rather than strings. */
  enumLabels: boolean;
  unit?: string;
}

function dataFrame(frame: Frame): DataFrame {
  const distinct = [...new Set(frame.label)];
  const config = { unit: frame.unit };
  return createDataFrame({
    fields: [
      { name: 'level', type: FieldType.number, values: frame.level },
      { name: 'value', type: FieldType.number, values: frame.value, config },
      { name: 'self', type: FieldType.number, values: frame.self, config },
      frame.enumLabels
        ? {
            name: 'label',
            type: FieldType.enum,
            values: frame.label.map((l) => distinct.indexOf(l)),
            config: { type: { enum: { text: distinct } } },
          }
        : { name: 'label', type: FieldType.string, values: frame.label },
      ...(frame.right
        ? [
            { name: 'valueRight', type: FieldType.number, values: frame.right.value, config },
            { name: 'selfRight', type: FieldType.number, values: frame.right.self, config },
          ]
        : []),
    ],
  });
}

const values = fc.oneof(fc.nat(3), fc.nat(400), fc.double({ min: 0, max: 1e6, noNaN: true }));

/** Frames of well-formed call trees, sometimes a diff, enum labels, a unit. */
const treeFrames: fc.Arbitrary<Frame> = callTrees(fc.constantFrom(...NAMES), values, {
  minLength: 0,
  maxLength: 60,
}).chain((nodes) =>
  fc
    .record({
      right: fc.option(fc.array(values, { minLength: nodes.length, maxLength: nodes.length }), { nil: undefined }),
      enumLabels: fc.boolean(),
      unit: fc.constantFrom(undefined, 'ns', 'bytes', 'short', 'percent'),
    })
    .map(({ right, enumLabels, unit }) => ({
      level: nodes.map((n) => n.level),
      label: nodes.map((n) => n.label),
      value: nodes.map((n) => n.value),
      self: nodes.map((n) => n.self),
      right: right && { value: right, self: right.map((v) => v / 2) },
      enumLabels,
      unit,
    }))
);

/** Frames whose levels follow no tree (second roots, jumps): both must then fail alike, or agree. */
const oddFrames: fc.Arbitrary<Frame> = fc
  .array(fc.record({ level: fc.nat(4), label: fc.constantFrom(...NAMES), value: values }), { maxLength: 12 })
  .map((rows) => ({
    level: rows.map((r) => r.level),
    label: rows.map((r) => r.label),
    value: rows.map((r) => r.value),
    self: rows.map((r) => r.value),
    enumLabels: false,
  }));

const optionsArb = fc.record({
  collapsing: fc.boolean(),
  collapsingThreshold: fc.constantFrom(undefined, 0, 0.5, 0.9, 0.99, 1),
});

/** Items named by position, so that item graphs (with their cycles) compare as plain data. */
function itemNames(levels: LevelItem[][]) {
  const names = new Map<LevelItem, string>();
  levels.forEach((level, l) => level?.forEach((item, i) => names.set(item, `${l}.${i}`)));
  return names;
}

function levelsShape(levels: LevelItem[][]) {
  const names = itemNames(levels);
  const name = (item: LevelItem) => names.get(item) ?? `outside ${JSON.stringify(item.itemIndexes)}`;
  return Array.from(levels, (level) =>
    level?.map((item) => ({
      keys: Object.keys(item),
      start: item.start,
      value: item.value,
      valueRight: item.valueRight,
      itemIndexes: item.itemIndexes,
      level: item.level,
      children: item.children.map(name),
      parents: item.parents?.map(name),
    }))
  );
}

function byLabelShape(levels: LevelItem[][], byLabel: Record<string, LevelItem[]>) {
  const names = itemNames(levels);
  return {
    prototype: Object.getPrototypeOf(byLabel),
    entries: Object.keys(byLabel).map((label) => [label, byLabel[label].map((item) => names.get(item))]),
  };
}

/** Keys in order, with which keys share one config object. */
function collapsedShape(levels: LevelItem[][], map: CollapsedMap) {
  const names = itemNames(levels);
  const configs: unknown[] = [];
  return Array.from(map.keys(), (item) => {
    const config = map.get(item)!;
    if (!configs.includes(config)) {
      configs.push(config);
    }
    return [names.get(item), configs.indexOf(config), config.collapsed, config.items.map((i) => names.get(i))];
  });
}

function outcome<T>(run: () => T): { value: T } | { error: string } {
  try {
    return { value: run() };
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
}

describe("the plugin's flame graph data container, against @grafana/flamegraph's own", () => {
  it('builds the same levels, label index and groups from any frame, and answers every accessor alike', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 4, arbitrary: treeFrames }, { weight: 1, arbitrary: oddFrames }),
        optionsArb,
        fc.nat(),
        (frame, options, pick) => {
          const data = dataFrame(frame);
          const ours = new FlameGraphDataContainer(data, options, theme);
          const theirs = new library.FlameGraphDataContainer(data, options, theme);

          const built = outcome(() => nestedSetToLevels(ours, options));
          const expected = outcome(() => library.nestedSetToLevels(theirs, options));
          if ('error' in expected || 'error' in built) {
            expect(built).toEqual(expected);
            return;
          }
          const [levels, byLabel, collapsed] = built.value;
          const [theirLevels, theirByLabel, theirCollapsed] = expected.value;
          expect(levelsShape(levels)).toEqual(levelsShape(theirLevels));
          expect(byLabelShape(levels, byLabel)).toEqual(byLabelShape(theirLevels, theirByLabel));
          expect(collapsedShape(levels, collapsed)).toEqual(collapsedShape(theirLevels, theirCollapsed));

          // The container's own lazily built levels are the same as a direct build.
          expect(levelsShape(ours.getLevels())).toEqual(levelsShape(theirs.getLevels()));
          expect(collapsedShape(ours.getLevels(), ours.getCollapsedMap())).toEqual(
            collapsedShape(theirs.getLevels(), theirs.getCollapsedMap())
          );

          const rows = frame.level.length;
          const row = pick % Math.max(rows, 1);
          const some = [row, (pick >> 3) % Math.max(rows, 1), (pick >> 7) % Math.max(rows, 1)];
          for (const index of [row, some, [] as number[]]) {
            expect(ours.getValue(index)).toBe(theirs.getValue(index));
            expect(ours.getValueRight(index)).toBe(theirs.getValueRight(index));
            expect(ours.getSelf(index)).toBe(theirs.getSelf(index));
            expect(ours.getSelfRight(index)).toBe(theirs.getSelfRight(index));
            expect(ours.getSelfDisplay(index)).toEqual(theirs.getSelfDisplay(index));
          }
          expect(ours.getLabel(row)).toBe(theirs.getLabel(row));
          expect(ours.getLevel(row)).toBe(theirs.getLevel(row));
          expect(ours.getUniqueLabels()).toEqual(theirs.getUniqueLabels());
          expect(ours.getUnitTitle()).toBe(theirs.getUnitTitle());
          expect(ours.isDiffFlamegraph()).toBe(theirs.isDiffFlamegraph());
          expect(ours.valueDisplayProcessor(pick)).toEqual(theirs.valueDisplayProcessor(pick));

          // The sandwich view of a label, through the library's own merging, from each container's levels.
          const label = NAMES[pick % NAMES.length];
          const names = (found?: LevelItem[]) => found?.map((item) => itemNames(ours.getLevels()).get(item));
          const theirNames = (found?: LevelItem[]) => found?.map((item) => itemNames(theirs.getLevels()).get(item));
          for (const each of NAMES) {
            expect(names(ours.getNodesWithLabel(each))).toEqual(theirNames(theirs.getNodesWithLabel(each)));
          }
          const [callers, callees] = ours.getSandwichLevels(label);
          const [theirCallers, theirCallees] = theirs.getSandwichLevels(label);
          expect(levelsShape(callers)).toEqual(levelsShape(theirCallers));
          expect(levelsShape(callees)).toEqual(levelsShape(theirCallees));

          // Collapsing and expanding, one group and all.
          const keys = [...ours.getCollapsedMap().keys()];
          if (keys.length > 0) {
            const at = pick % keys.length;
            const theirKey = [...theirs.getCollapsedMap().keys()][at];
            const open = pick % 2 === 0;
            expect(collapsedShape(ours.getLevels(), ours.getCollapsedMap().setCollapsedStatus(keys[at], open))).toEqual(
              collapsedShape(theirs.getLevels(), theirs.getCollapsedMap().setCollapsedStatus(theirKey, open))
            );
            expect(collapsedShape(ours.getLevels(), ours.getCollapsedMap().setAllCollapsedStatus(open))).toEqual(
              collapsedShape(theirs.getLevels(), theirs.getCollapsedMap().setAllCollapsedStatus(open))
            );
          }
        }
      ),
      { numRuns: 400 }
    );
  });

  it('reads the frame the page sends: string labels, nanoseconds, one root', () => {
    const data = createDataFrame({
      fields: [
        { name: 'level', type: FieldType.number, values: [0, 1, 2, 2, 1] },
        { name: 'value', type: FieldType.number, values: [10, 6, 2, 3, 4], config: { unit: 'ns' } },
        { name: 'self', type: FieldType.number, values: [0, 1, 2, 3, 4], config: { unit: 'ns' } },
        { name: 'label', type: FieldType.string, values: ['total', 'main', 'f', 'g', 'f'] },
      ],
    });
    const container = new FlameGraphDataContainer(data, { collapsing: false }, theme);
    const levels = container.getLevels();
    expect(levels.map((level) => level.map((item) => [item.start, item.value, item.itemIndexes[0]]))).toEqual([
      [[0, 10, 0]],
      [
        [0, 6, 1],
        [6, 4, 4],
      ],
      [
        [0, 2, 2],
        [2, 3, 3],
      ],
    ]);
    expect(levels[2][1].parents).toEqual([levels[1][0]]);
    expect(container.getNodesWithLabel('f')).toEqual([levels[2][0], levels[1][1]]);
    expect(container.getUniqueLabels()).toEqual(['total', 'main', 'f', 'g']);
    expect(container.getUnitTitle()).toBe('Time');
    expect(container.getCollapsedMap().size()).toBe(0);
  });

  it('names missing and mistyped fields as the library does', () => {
    const fields = fc
      .subarray(['label', 'level', 'value', 'self', 'other'])
      .chain((names) =>
        fc.tuple(
          ...names.map((name) =>
            fc
              .constantFrom(FieldType.string, FieldType.number, FieldType.enum, FieldType.time)
              .map((type) => ({ name, type, values: [] as unknown[] }))
          )
        )
      );
    fc.assert(
      fc.property(fields, (list) => {
        const data = createDataFrame({ fields: list });
        const result = checkFields(data);
        expect(result).toEqual(library.checkFields(data));
        if (result) {
          expect(getMessageCheckFieldsResult(result)).toBe(library.getMessageCheckFieldsResult(result));
        }
        expect(outcome(() => new FlameGraphDataContainer(data, { collapsing: true }, theme))).toMatchObject(
          result ? { error: `Error: ${library.getMessageCheckFieldsResult(result)}` } : { value: expect.anything() }
        );
      }),
      { numRuns: 200 }
    );
    expect(getMessageCheckFieldsResult({ missingFields: ['label', 'self'], wrongTypeFields: [] })).toBe(
      'Data is missing fields: label, self'
    );
  });
});
