// The seed's warmup schedule (train.py `warmup`): a Keras LearningRateScheduler whose function returns
// start_learning_rate at epoch 0 and `lr + lr_inc` afterwards, where `lr` is the rate Keras reads back from the
// optimizer (a float32 variable) and lr_inc = (end_learning_rate - start_learning_rate) / num_epochs. So the
// ramp starts at start_lr and, over `epochs` epochs, stops one increment short of lr.

/** The learning rate of each warmup epoch, float32 as the optimizer holds it. */
export function warmupSchedule(startLearningRate: number, endLearningRate: number, epochs: number): number[] {
  if (!Number.isSafeInteger(epochs) || epochs < 1) throw new RangeError(`epochs: expected a positive integer, received ${epochs}`);
  const increment = (endLearningRate - startLearningRate) / epochs;
  const rates = [Math.fround(startLearningRate)];
  for (let e = 1; e < epochs; e++) rates.push(Math.fround(rates[e - 1]! + increment));
  return rates;
}
