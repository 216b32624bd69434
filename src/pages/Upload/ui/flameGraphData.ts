import {
  createTheme,
  DataFrame,
  DisplayProcessor,
  DisplayValue,
  Field,
  FieldType,
  getDisplayProcessor,
  GrafanaTheme2,
} from '@grafana/data';
// @grafana/flamegraph's own sandwich merging and unit names (paths mapped in tsconfig.json, webpack.config.ts and
// jest.config.js): only the building of the levels is the plugin's.
import { mergeParentSubtrees, mergeSubtrees } from 'flamegraph-dist/treeTransforms';
import { SampleUnit } from 'flamegraph-dist/types';

/**
 * The data container of @grafana/flamegraph's graph, written here and put in place of the library's
 * `dataTransform.mjs` by the build (`webpack.config.ts`) and the tests (`jest.config.js`), with the same exports and
 * behaviour. The tests build random frames with both and require the same levels, labels, groups and answers.
 *
 * Why: the library's container is built in the render of the component that mounts the graph, which React cannot
 * slice, and for the bench's 13 000 rows that took 14–35 ms of the page's main thread. Half of its build is an index
 * of bars by label, whose thousands of labels V8 interns as property keys; only the sandwich view reads it, so here
 * it is made when that view first asks. The rest reads each row through accessors that allocate (a display value per
 * label, an index array and a closure per value); here each row costs its own bar and nothing else. The list of
 * distinct labels, which only the search reads, is made on its first search too.
 */

/** A bar of the graph: one call-tree node (or, merged, several), at its level. */
export type LevelItem = {
  start: number;
  value: number;
  valueRight?: number;
  itemIndexes: number[];
  children: LevelItem[];
  level: number;
  parents?: LevelItem[];
};

/** A group of single-child nodes drawn as one bar when collapsed. */
export type CollapseConfig = {
  items: LevelItem[];
  collapsed: boolean;
};

export type Options = {
  collapsing: boolean;
  collapsingThreshold?: number;
};

export type CheckFieldsResult = {
  wrongTypeFields: Array<{ name: string; expectedTypes: FieldType[]; type: FieldType }>;
  missingFields: string[];
};

const REQUIRED_FIELDS: Array<[name: string, types: FieldType[]]> = [
  ['label', [FieldType.string, FieldType.enum]],
  ['level', [FieldType.number]],
  ['value', [FieldType.number]],
  ['self', [FieldType.number]],
];

export function checkFields(data: DataFrame): CheckFieldsResult | undefined {
  const result: CheckFieldsResult = { wrongTypeFields: [], missingFields: [] };
  for (const [name, types] of REQUIRED_FIELDS) {
    const field = data?.fields.find((f) => f.name === name);
    if (!field) {
      result.missingFields.push(name);
    } else if (!types.includes(field.type)) {
      result.wrongTypeFields.push({ name, expectedTypes: types, type: field.type });
    }
  }
  return result.missingFields.length || result.wrongTypeFields.length ? result : undefined;
}

export function getMessageCheckFieldsResult(wrongFields: CheckFieldsResult): string {
  if (wrongFields.missingFields.length) {
    return `Data is missing fields: ${wrongFields.missingFields.join(', ')}`;
  }
  if (wrongFields.wrongTypeFields.length) {
    const wrong = wrongFields.wrongTypeFields.map(
      (f) => `${f.name} has type ${f.type} but should be ${f.expectedTypes.join(' or ')}`
    );
    return `Data has fields of wrong type: ${wrong.join(', ')}`;
  }
  return '';
}

/** Which items are grouped, as state: every change makes a new map, so React sees it. */
export class CollapsedMap {
  private readonly map: Map<LevelItem, CollapseConfig>;

  constructor(map?: Map<LevelItem, CollapseConfig>) {
    this.map = map ?? new Map();
  }
  get(item: LevelItem) {
    return this.map.get(item);
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  size() {
    return this.map.size;
  }
  /** The item's whole group changes together. */
  setCollapsedStatus(item: LevelItem, collapsed: boolean) {
    const next = new Map(this.map);
    const config = this.map.get(item)!;
    const changed = { ...config, collapsed };
    for (const member of config.items) {
      next.set(member, changed);
    }
    return new CollapsedMap(next);
  }
  /** As the library does it: each item gets a config of its own. */
  setAllCollapsedStatus(collapsed: boolean) {
    const next = new Map(this.map);
    for (const [item, config] of this.map) {
      next.set(item, { ...config, collapsed });
    }
    return new CollapsedMap(next);
  }
}

/**
 * Groups a node with its parent when it is the parent's only child and holds nearly all of its value (over
 * `threshold` of it, 0.99 unless told); a chain of such nodes is one group. Mutable while the tree is walked.
 */
export class CollapsedMapBuilder {
  private readonly map = new Map<LevelItem, CollapseConfig>();
  private readonly threshold: number;

  constructor(threshold?: number) {
    this.threshold = threshold ?? 0.99;
  }
  /** Pre-order, as the groups' item lists are. */
  addTree(root: LevelItem) {
    const stack = [root];
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      if (item.parents?.length) {
        this.addItem(item, item.parents[0]);
      }
      for (let child = item.children.length - 1; child >= 0; child--) {
        stack.push(item.children[child]);
      }
    }
  }
  addItem(item: LevelItem, parent?: LevelItem) {
    if (!parent || !(item.value > parent.value * this.threshold) || parent.children.length !== 1) {
      return;
    }
    const group = this.map.get(parent);
    if (group) {
      this.map.set(item, group);
      group.items.push(item);
    } else {
      const created = { items: [parent, item], collapsed: true };
      this.map.set(parent, created);
      this.map.set(item, created);
    }
  }
  getCollapsedMap() {
    return new CollapsedMap(this.map);
  }
}

/** A field's value at a row, or the sum over rows; a missing field is 0. */
function valueAt(field: Field | undefined, index: number | number[]): number {
  if (!field) {
    return 0;
  }
  const values = field.values;
  if (typeof index === 'number') {
    return 0 + values[index];
  }
  let sum = 0;
  for (const row of index) {
    sum += values[row];
  }
  return sum;
}

interface BuiltLevels {
  levels: LevelItem[][];
  /** Each row's bar, by row. */
  rowItems: LevelItem[];
  collapsedMap: CollapsedMap;
}

/**
 * The rows of a nested-set frame (pre-order, each with its level) as bars per level and, if asked, the groups of
 * collapsible nodes. A row starts where its previous sibling ends; its parent is the latest bar one level up.
 */
function buildLevels(container: FlameGraphDataContainer, options?: Options): BuiltLevels {
  const levels: LevelItem[][] = [];
  const rowItems: LevelItem[] = [];
  const levelOf = container.levelField.values;
  const value = container.valueField.values;
  const valueRight = container.valueRightField?.values;
  const diff = container.isDiffFlamegraph();
  let offset = 0;
  let parent: LevelItem | undefined;
  for (let row = 0; row < container.data.length; row++) {
    const level = levelOf[row];
    const previousLevel = row > 0 ? levelOf[row - 1] : undefined;
    const atLevel = (levels[level] ??= []);
    // As the library reads it: after a row at level 0, a row at the same level is not its sibling.
    if (previousLevel && previousLevel >= level) {
      const sibling = atLevel[atLevel.length - 1];
      const start = sibling.start;
      const at = sibling.itemIndexes[0];
      offset = start + (0 + value[at]) + (valueRight ? 0 + valueRight[at] : 0);
      parent = sibling.parents![0];
    }
    const right = valueRight ? 0 + valueRight[row] : 0;
    const item: LevelItem = {
      itemIndexes: [row],
      value: 0 + value[row] + right,
      valueRight: diff ? right : undefined,
      start: offset,
      parents: parent && [parent],
      children: [],
      level,
    };
    parent?.children.push(item);
    parent = item;
    atLevel.push(item);
    rowItems.push(item);
  }
  const groups = new CollapsedMapBuilder(options?.collapsingThreshold);
  if (options?.collapsing) {
    groups.addTree(levels[0][0]);
  }
  return { levels, rowItems, collapsedMap: groups.getCollapsedMap() };
}

/**
 * Each label's bars, in row order. Apart from the levels because only the sandwich view needs it, and it costs as
 * much as the levels: a label becomes a property key, which V8 interns, and a graph has thousands.
 */
function labelIndex(container: FlameGraphDataContainer, rowItems: LevelItem[]): Record<string, LevelItem[]> {
  const byLabel: Record<string, LevelItem[]> = Object.create(null);
  for (let row = 0; row < rowItems.length; row++) {
    const label = container.getLabel(row);
    const same = byLabel[label];
    if (same) {
      same.push(rowItems[row]);
    } else {
      byLabel[label] = [rowItems[row]];
    }
  }
  return byLabel;
}

/** The library's whole transform, for its callers: the levels, each label's bars, and the collapsible groups. */
export function nestedSetToLevels(
  container: FlameGraphDataContainer,
  options?: Options
): [LevelItem[][], Record<string, LevelItem[]>, CollapsedMap] {
  const { levels, rowItems, collapsedMap } = buildLevels(container, options);
  return [levels, labelIndex(container, rowItems), collapsedMap];
}

/** A flame graph frame (`label`, `level`, `value`, `self`, and for a diff `valueRight`, `selfRight`), read. */
export class FlameGraphDataContainer {
  data: DataFrame;
  options: Options;
  labelField: Field;
  levelField: Field;
  valueField: Field;
  selfField: Field;
  valueRightField?: Field;
  selfRightField?: Field;
  labelDisplayProcessor: DisplayProcessor;
  valueDisplayProcessor: DisplayProcessor;
  /** The distinct labels in first-seen order (or the enum's texts): made on the first search, their only reader. */
  private distinctLabels?: string[];
  private built?: BuiltLevels;
  private uniqueLabelsMap?: Record<string, LevelItem[]>;

  constructor(data: DataFrame, options: Options, theme: GrafanaTheme2 = createTheme()) {
    this.data = data;
    this.options = options;
    const wrongFields = checkFields(data);
    if (wrongFields) {
      throw new Error(getMessageCheckFieldsResult(wrongFields));
    }
    const field = (name: string) => data.fields.find((f) => f.name === name);
    // checkFields found these four.
    this.labelField = field('label')!;
    this.levelField = field('level')!;
    this.valueField = field('value')!;
    this.selfField = field('self')!;
    this.valueRightField = field('valueRight');
    this.selfRightField = field('selfRight');
    const enumConfig = this.labelField.config?.type?.enum;
    if (enumConfig) {
      this.labelDisplayProcessor = getDisplayProcessor({ field: this.labelField, theme });
      this.distinctLabels = enumConfig.text || [];
    } else {
      this.labelDisplayProcessor = (value) => ({ text: value + '', numeric: 0 });
    }
    this.valueDisplayProcessor = getDisplayProcessor({ field: this.valueField, theme });
  }

  isDiffFlamegraph() {
    return Boolean(this.valueRightField && this.selfRightField);
  }
  getLabel(index: number): string {
    return this.labelDisplayProcessor(this.labelField.values[index]).text;
  }
  getLevel(index: number) {
    return this.levelField.values[index];
  }
  getValue(index: number | number[]) {
    return valueAt(this.valueField, index);
  }
  getValueRight(index: number | number[]) {
    return valueAt(this.valueRightField, index);
  }
  getSelf(index: number | number[]) {
    return valueAt(this.selfField, index);
  }
  getSelfRight(index: number | number[]) {
    return valueAt(this.selfRightField, index);
  }
  getSelfDisplay(index: number | number[]): DisplayValue {
    return this.valueDisplayProcessor(this.getSelf(index));
  }
  getUniqueLabels(): string[] {
    this.distinctLabels ??= [...new Set<string>(this.labelField.values)];
    return this.distinctLabels;
  }
  getUnitTitle() {
    switch (this.valueField.config.unit) {
      case SampleUnit.Bytes:
        return 'RAM';
      case SampleUnit.Nanoseconds:
        return 'Time';
    }
    return 'Count';
  }
  getLevels() {
    return this.initLevels().levels;
  }
  /** The callers' and the callees' trees of every node with the label, merged, as the library merges them. */
  getSandwichLevels(label: string): [LevelItem[][], LevelItem[][]] {
    const nodes = this.getNodesWithLabel(label);
    if (!nodes?.length) {
      return [[], []];
    }
    return [mergeParentSubtrees(nodes, this), mergeSubtrees(nodes, this)];
  }
  getNodesWithLabel(label: string): LevelItem[] {
    this.uniqueLabelsMap ??= labelIndex(this, this.initLevels().rowItems);
    return this.uniqueLabelsMap[label];
  }
  getCollapsedMap() {
    return this.initLevels().collapsedMap;
  }

  private initLevels() {
    this.built ??= buildLevels(this, this.options);
    return this.built;
  }
}
