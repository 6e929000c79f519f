# schema/redis/module.mk: the Redis contract for C (see redis_keys.h and
# redis_scripts.h). libredisschema.a holds the Lua scripts of
# schema/redis/*.lua as C strings, generated at build time into
# build/gen/ so that each script has one source; the job reads the same
# files as classpath resources (job/pom.xml).

C_MODULES += redisschema
redisschema_LUA := $(sort $(wildcard schema/redis/*.lua))
redisschema_GEN := $(C_BUILD)/gen/schema/redis/redis_scripts.c
redisschema_SRCS := $(redisschema_GEN)
redisschema_TESTS := $(wildcard schema/redis/tests/test_*.c)

$(redisschema_GEN): $(redisschema_LUA) schema/redis/lua_to_c.sh
	@mkdir -p $(@D)
	@$(if $(c_q),echo "  GEN     $@")
	$(c_q)schema/redis/lua_to_c.sh $@ $(redisschema_LUA)
