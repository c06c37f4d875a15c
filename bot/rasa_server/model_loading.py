"""Load the TensorFlow models of a trained Rasa model without tracing a training graph.

Rasa 3.6 builds each TensorFlow model (DIET, ResponseSelector, TED) at load time by *training it*
for one step on one example (``RasaModel.load`` → ``model.fit``), only to create weights of the
right shape, then overwrites them with the trained weights. Keras compiles that training step
into a graph first: profiling the Rasa server's start (docs/benchmarks.md) put ~55 % of the time
to ready in that ``fit``, for a step whose result is thrown away.

``install()`` makes ``RasaModel.load`` run that one step eagerly (no graph to trace), then
restores the usual mode before the trained weights are loaded and the prediction graph is
traced. Same weights, same prediction graph, same answers; only the throw-away step is cheaper.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Patch ``RasaModel.load`` in this process (idempotent)."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.models import RasaModel

    if getattr(RasaModel.load, "_eager_build", False):
        return
    original = RasaModel.load.__func__

    def load(
        cls: Any,
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        # Rasa's RasaModel.load (3.6), except that the weight-building step runs eagerly.
        learning_rate = kwargs.get("config", {}).get(LEARNING_RATE, 0.001)
        run_eagerly = kwargs.get("config", {}).get(RUN_EAGERLY)
        if finetune_mode:  # training goes on from the saved optimizer state: Rasa's own way
            return original(
                cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
            )
        model = cls(*args, **kwargs)
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=True)
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        # A fresh optimizer: the eager step created the old one's slot variables in another order
        # than the saved optimizer state, which then does not restore. Serving never trains, so
        # the saved optimizer state is left unread (Rasa's models are only for prediction here).
        model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), run_eagerly=run_eagerly)
        model.load_weights(model_file_name).expect_partial()
        if predict_data_example:
            model.run_inference(predict_data_example)
        return model

    load._eager_build = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(load)  # type: ignore[method-assign,assignment]
