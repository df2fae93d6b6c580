"""The bot's commands: one discord.py extension per topic (asking, the corpus, help).

Each module has ``async def setup(bot)``; :data:`bot.app.EXTENSIONS` lists them.
"""
