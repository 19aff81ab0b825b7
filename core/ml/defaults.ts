/**
 * Default parameters of the TF.js trainers whose templates must not load TF.js to render their
 * forms: the trainer (core/ml) and the template (templates/) both import them from here, a module
 * with no imports.
 */

/** Defaults of `LstmForecastParams` (core/ml/forecast.ts; chosen by the CO2 measurements in docs/models.md). */
export const FORECAST_DEFAULTS = {
  lookback: 24,
  horizon: 12,
  units: 32,
  epochs: 20,
  batchSize: 32,
  learningRate: 0.005,
  testFraction: 0.2,
  validationFraction: 0.1,
  missing: 'error',
  seed: 42,
} as const;

/** Defaults of `trainAutoencoder` (core/ml/anomaly.ts) (chosen by the measurements in docs/models.md). */
export const AUTOENCODER_DEFAULTS = {
  encoderLayers: [16, 8],
  bottleneck: 2,
  activation: 'tanh',
  epochs: 200,
  batchSize: 32,
  learningRate: 0.01,
  validationFraction: 0.2,
  seed: 42,
  thresholdQuantile: 0.99,
  earlyStoppingPatience: 20,
  normalOnly: false,
} as const;
