"""A plugin whose import fails: the registry must report it by name and carry on."""

raise ImportError("this plugin is broken on purpose")
