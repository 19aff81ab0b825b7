/**
 * Template `timeseries.lstm-forecast`: windowed time-series forecasting with a TF.js LSTM, reported
 * beside the naive last-value forecast (see core/ml/forecast.ts `trainLstmForecaster` for the
 * split, the scaling and the metrics). Renders to one `stratum.trainLstmForecaster` call,
 * `display(stratum.modelSummary(model))` (MAE, RMSE, MAPE in percent per step ahead, model vs
 * baseline; the run records `mape` as a fraction) and `plot(stratum.forecastPlot(model))` (forecast
 * vs actual on the test period).
 */
import { StratumError } from '../core/errors.ts';
import { checkIdentifier } from './tabular-classification.ts';
import type { ModelTemplate } from './types.ts';
import { FORECAST_DEFAULTS } from '../core/ml/defaults.ts';

const IDENTIFIER = '^[A-Za-z_$][A-Za-z0-9_$]*$';

/** Parameters of the `timeseries.lstm-forecast` template, after validation (defaults applied). */
export interface LstmForecastTemplateParams {
  /** Notebook variable holding the data (a DataFrame or an array of records). */
  data: string;
  /** Numeric column holding the series. */
  target: string;
  /** Optional timestamp column: rows are sorted by it and the series checked regular. */
  time?: string;
  /** Window length (values the model reads). */
  lookback: number;
  /** Steps ahead forecast at once. */
  horizon: number;
  /** Units of the LSTM layer. */
  units: number;
  /** Passes over the training windows. */
  epochs: number;
  /** Windows per gradient step. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Last fraction of the rows held out for testing. */
  testFraction: number;
  /** Last fraction of the remaining rows used for validation. */
  validationFraction: number;
  /** Early stopping patience on the validation loss; absent = off. */
  earlyStoppingPatience?: number;
  /** Missing values and timestamps: refuse or interpolate linearly. */
  missing: 'error' | 'interpolate';
  /** Seed of the initializers and the shuffle. */
  seed: number;
  /** Variable that receives the trained model. */
  resultName: string;
}

const d = FORECAST_DEFAULTS;

/** Schema of {@link LstmForecastTemplateParams} (JSON Schema draft 2020-12), in form order. */
export const lstmForecastParamsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Time-series forecast (LSTM)',
  type: 'object',
  additionalProperties: false,
  required: ['data', 'target'],
  properties: {
    data: { type: 'string', title: 'Data', description: 'Notebook variable holding the data: a DataFrame or an array of records, one row per time step.', pattern: IDENTIFIER },
    target: { type: 'string', title: 'Series column', description: 'Numeric column to forecast.', minLength: 1 },
    time: { type: 'string', title: 'Time column', description: 'Optional timestamps (ISO dates or numbers): rows are sorted by them, and a duplicate or missing timestamp is reported with its row. Empty = the rows are already in time order.', minLength: 1 },
    lookback: { type: 'integer', title: 'Lookback', description: 'Window length: how many past values the model reads (e.g. 24 for two years of monthly data).', minimum: 1, maximum: 10000, default: d.lookback },
    horizon: { type: 'integer', title: 'Horizon', description: 'How many steps ahead to forecast at once (one output per step).', minimum: 1, maximum: 10000, default: d.horizon },
    units: { type: 'integer', title: 'LSTM units', description: 'Size of the LSTM layer\'s state.', minimum: 1, maximum: 1024, default: d.units },
    epochs: { type: 'integer', title: 'Epochs', description: 'Passes over the training windows.', minimum: 1, maximum: 100000, default: d.epochs },
    batchSize: { type: 'integer', title: 'Batch size', description: 'Windows per gradient step.', minimum: 1, maximum: 1048576, default: d.batchSize },
    learningRate: { type: 'number', title: 'Learning rate', description: 'Adam step size.', exclusiveMinimum: 0, maximum: 10, default: d.learningRate },
    testFraction: { type: 'number', title: 'Test fraction', description: 'The last part of the series held out for evaluation (chronological: no shuffling, no window crosses into it).', exclusiveMinimum: 0, exclusiveMaximum: 1, default: d.testFraction },
    validationFraction: { type: 'number', title: 'Validation fraction', description: 'The last part of the remaining rows, for the per-epoch validation loss and early stopping (never the test part).', exclusiveMinimum: 0, exclusiveMaximum: 1, default: d.validationFraction },
    earlyStoppingPatience: { type: 'integer', title: 'Early stopping patience', description: 'Stop when the validation loss has not improved for this many epochs, and keep the best epoch\'s weights. Empty = off.', minimum: 1, maximum: 100000 },
    missing: { type: 'string', title: 'Missing values', description: 'A missing value or timestamp: "error" names its row; "interpolate" fills it linearly between its neighbours.', enum: ['error', 'interpolate'], default: d.missing },
    seed: { type: 'integer', title: 'Seed', description: 'Seed of the initialization and the shuffle: same seed, same model.', default: d.seed },
    resultName: { type: 'string', title: 'Result variable', description: 'Variable that receives the trained model.', pattern: IDENTIFIER, default: 'model' },
  },
} as const;

const literal = (value: unknown): string => JSON.stringify(value);

function renderCode(p: LstmForecastTemplateParams): string {
  checkIdentifier('data', p.data);
  checkIdentifier('resultName', p.resultName);
  if (p.data === p.resultName) {
    throw new StratumError('TEMPLATE_PARAMS', `params.resultName: must differ from params.data (${JSON.stringify(p.data)})`, { detail: { field: 'resultName' } });
  }
  if (p.time !== undefined && p.time === p.target) {
    throw new StratumError('TEMPLATE_PARAMS', `params.time: the time column cannot also be the series column (${JSON.stringify(p.target)})`, { detail: { field: 'time' } });
  }
  const r = p.resultName;
  return [
    '// Template: Time-series forecast (LSTM) — generated code, edit freely after "convert to code"',
    `// Forecasts the next ${p.horizon} values from the last ${p.lookback}; the naive last-value forecast is reported beside it.`,
    `const ${r} = await stratum.trainLstmForecaster(stratum.toRecords(${p.data}), {`,
    `  target: ${literal(p.target)},${p.time === undefined ? '' : ` time: ${literal(p.time)},`}`,
    `  lookback: ${literal(p.lookback)}, horizon: ${literal(p.horizon)}, units: ${literal(p.units)},`,
    `  epochs: ${literal(p.epochs)}, batchSize: ${literal(p.batchSize)}, learningRate: ${literal(p.learningRate)},${p.earlyStoppingPatience === undefined ? '' : ` earlyStoppingPatience: ${literal(p.earlyStoppingPatience)},`}`,
    `  testFraction: ${literal(p.testFraction)}, validationFraction: ${literal(p.validationFraction)}, missing: ${literal(p.missing)}, seed: ${literal(p.seed)},`,
    '}, { onEpoch: stratum.progress });',
    `display(stratum.modelSummary(${r}));`,
    `plot(stratum.forecastPlot(${r}));`,
    r,
    '',
  ].join('\n');
}

/** `timeseries.lstm-forecast`: windowed LSTM forecaster with the naive last-value baseline. */
export const lstmForecastTemplate: ModelTemplate<LstmForecastTemplateParams> = {
  id: 'timeseries.lstm-forecast',
  title: 'Time-series forecast (LSTM)',
  task: 'forecasting',
  description:
    'Forecasts the next values of a series with an LSTM (TensorFlow.js) reading a window of past values, one output per step ahead. The network works on changes relative to the window\'s last value, scaled on the training part only, so a trending series is no harder than a flat one. Split chronologically (train, validation, test: the last part), evaluated with MAE, RMSE and MAPE (printed in percent, recorded in the run as a fraction like scikit-learn) per step ahead beside the naive forecast "the next values equal the last one".',
  paramsSchema: lstmForecastParamsSchema as unknown as Record<string, unknown>,
  renderCode,
};
