"""Model servers the person added (llama.cpp's server, Ollama, vLLM, LM Studio: anything that
speaks the OpenAI API): their addresses (store.py), their API keys kept out of the settings file
(keys.py), and what each serves (catalog.py)."""
