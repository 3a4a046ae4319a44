"""Chat-model backends behind one small interface; heavy imports live inside each implementation."""

from simulator.llm.base import ChatModel, ChatModelError, GenerationParams, Message

__all__ = ["ChatModel", "ChatModelError", "GenerationParams", "Message"]
