// The columnar fold of an aggregation without a parameter (sum, avg, count, min, max, group,
// stddev, stdvar): input series are numbered, each is assigned its group once, and each input
// point is folded into its group's slot for its step (group x step typed arrays). Points are
// folded in input order within a slot, as the step-wise aggregate() does, so the floating-point
// results are identical; groups come out in rangeEval's order (first step with data, then first
// input series).
import type { Labels } from '../labels/labels.js';
import { groupingKey, type Accumulator, type AggState } from './aggregations.js';
import type { Series } from './series.js';

/** Dense slots beyond this many cells per input point (plus a floor) are not worth it. */
const MAX_SLOTS_PER_POINT = 4;
const MIN_SLOTS = 65536;

export class ColumnarFold {
  private readonly ids = new Map<string, number>();
  private readonly groupLabels: Labels[] = [];
  /** each input series' group */
  private readonly gid: number[] = [];
  /** groups the slots have room for */
  private capacity = 0;
  private state: AggState | undefined;
  private firstStep = new Int32Array(0);
  private firstSeries = new Int32Array(0);
  /** input points per step, and output points per step (after series()) */
  readonly inCount: Int32Array;
  readonly outCount: Int32Array;

  constructor(
    private readonly acc: Accumulator,
    private readonly steps: number,
  ) {
    this.inCount = new Int32Array(steps);
    this.outCount = new Int32Array(steps);
  }

  /** Assigns input series `si` (of labels `metric`) its group. */
  groupOf(si: number, metric: Labels, groupSet: ReadonlySet<string>, without: boolean): void {
    const key = groupingKey(metric, groupSet, without);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.groupLabels.length;
      this.ids.set(key, id);
      if (without) this.groupLabels.push(metric.filter((l) => !groupSet.has(l.name) && l.name !== '__name__'));
      else if (groupSet.size > 0) this.groupLabels.push(metric.filter((l) => groupSet.has(l.name)));
      else this.groupLabels.push([]);
    }
    this.gid[si] = id;
  }

  /**
   * Allocates the slots once every input has its group; false (nothing allocated) when they
   * would outnumber the input points by far (short-lived series in many groups). Without
   * inputPoints (inputs folded as they are read, their groups assigned on the way) the slots
   * grow as groups appear, and the caller watches sparse() instead.
   */
  allocate(inputPoints?: number): boolean {
    const numGroups = this.groupLabels.length;
    if (inputPoints !== undefined && this.cells() > MAX_SLOTS_PER_POINT * inputPoints + MIN_SLOTS) return false;
    this.resize(numGroups);
    return true;
  }

  /** Whether the slots outnumber these input points by far (the test allocate makes up front). */
  sparse(inputPoints: number): boolean {
    return this.cells() > MAX_SLOTS_PER_POINT * inputPoints + MIN_SLOTS;
  }

  private cells(): number {
    return this.groupLabels.length * this.steps;
  }

  /** Slots for `groups` groups, keeping what the current ones hold. */
  private resize(groups: number): void {
    const size = groups * this.steps;
    const old = this.state;
    const value = new Float64Array(size);
    const state: AggState = {
      value,
      mean: this.acc.usesMean ? new Float64Array(size) : value,
      count: new Float64Array(size),
    };
    const firstStep = new Int32Array(groups).fill(this.steps);
    const firstSeries = new Int32Array(groups);
    if (old) {
      (state.value as Float64Array).set(old.value);
      if (this.acc.usesMean) (state.mean as Float64Array).set(old.mean);
      (state.count as Float64Array).set(old.count);
      firstStep.set(this.firstStep);
      firstSeries.set(this.firstSeries);
    }
    this.state = state;
    this.firstStep = firstStep;
    this.firstSeries = firstSeries;
    this.capacity = groups;
  }

  /** Folds value x of input series si at step k. */
  add(si: number, k: number, x: number): void {
    const g = this.gid[si]!;
    if (g >= this.capacity) this.resize(Math.max(g + 1, 2 * this.capacity));
    const state = this.state!;
    const idx = g * this.steps + k;
    this.inCount[k]!++;
    const count = state.count as Float64Array;
    const c = count[idx]!;
    count[idx] = c + 1;
    if (c === 0) {
      if (k < this.firstStep[g]!) {
        this.firstStep[g] = k;
        this.firstSeries[g] = si;
      }
      this.acc.init(state, idx, x);
    } else this.acc.add(state, idx, x);
  }

  /** The groups' series (step k at time stepTime(k)); fills outCount. */
  series(stepTime: (k: number) => number): Series[] {
    const state = this.state!;
    const steps = this.steps;
    const count = state.count as Float64Array;
    const order: number[] = [];
    for (let g = 0; g < this.groupLabels.length; g++)
      if (g < this.capacity && this.firstStep[g]! < steps) order.push(g);
    order.sort((a, b) => this.firstStep[a]! - this.firstStep[b]! || this.firstSeries[a]! - this.firstSeries[b]!);
    const out: Series[] = [];
    for (const g of order) {
      const ss: Series = { metric: this.groupLabels[g]!, t: [], v: [] };
      const base = g * steps;
      for (let k = this.firstStep[g]!; k < steps; k++) {
        const idx = base + k;
        if (count[idx] === 0) continue;
        ss.t.push(stepTime(k));
        ss.v.push(this.acc.result(state, idx));
        this.outCount[k]!++;
      }
      out.push(ss);
    }
    return out;
  }
}
