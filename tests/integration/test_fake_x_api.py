"""The fake X API itself: spec-valid answers, X's pagination and query rules, limits, faults."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from support import REPO, realdata
from x_fixtures import CAMPAIGN_URL, PHRASE, TOKEN, FakeClock, build_world, serving

from tiemeter.collectors.x_api.fields import tweet_request, user_request
from tiemeter.demo.fake_x_api import FakeXApi


@functools.cache
def spec() -> dict:
    """X's OpenAPI document (../shared/realdata), read when a test first needs it."""
    return json.loads(realdata("x_api_v2", "openapi.json").read_text())


@functools.cache
def registry() -> Registry:
    return Registry().with_resource(
        "urn:x-api-v2", Resource.from_contents(spec(), default_specification=DRAFT7)
    )


AUTH = {"Authorization": f"Bearer {TOKEN}"}
TWEET_PARAMS = {
    "expansions": ",".join(tweet_request()["expansions"]),
    "tweet.fields": ",".join(tweet_request()["tweet_fields"]),
    "user.fields": ",".join(tweet_request()["user_fields"]),
}
USER_PARAMS = {"user.fields": ",".join(user_request()["user_fields"])}


def validator(schema_ref: str) -> Draft7Validator:
    return Draft7Validator({"$ref": f"urn:x-api-v2{schema_ref}"}, registry=registry())


def response_schema(spec_path: str, status: str = "200") -> str:
    return spec()["paths"][spec_path]["get"]["responses"][status]["content"]["application/json"]["schema"][
        "$ref"
    ]


def assert_valid(spec_path: str, body: dict) -> None:
    """The whole answer against its response schema; the tweets X returns under the names that the
    spec (renamed from Tweet to Post) leaves unchecked against the Post schema too."""
    errors = [e.message for e in validator("#" + response_schema(spec_path).lstrip("#")).iter_errors(body)]
    post, refs = validator("#/components/schemas/Post"), validator("#/components/schemas/PostReferencedPosts")
    tweets = (body.get("data") if "text" in str(body.get("data", "")) else []) or []
    for tweet in [*tweets, *body.get("includes", {}).get("tweets", [])]:
        errors += [e.message for e in post.iter_errors(tweet)]
        errors += [e.message for e in refs.iter_errors(tweet.get("referenced_tweets", []))]
        errors += [
            e.message for e in post.iter_errors({"edit_history_post_ids": tweet["edit_history_tweet_ids"]})
        ]
    assert errors == [], (spec_path, errors[:5])


def get(api, path: str, params: dict | None = None, headers=AUTH) -> requests.Response:
    return requests.get(api.base_url + path, params=params or {}, headers=headers, timeout=5)


@pytest.fixture(scope="module")
def world():
    return build_world(more_sharers=130)


@pytest.fixture
def api(world):
    with serving(world, FakeClock()) as server:
        server.faults.add("partial_errors", every=2)  # errors entries get validated too
        yield server


def test_answers_validate_against_openapi_json(api, world):
    by_id = {t["id"]: t for t in world.tweets}
    mark_tweet = next(
        t["id"] for t in world.tweets if t["author_id"] == "10" and "url" in str(t.get("entities"))
    )
    cases = [
        (
            "/2/tweets/search/recent",
            "/2/tweets/search/recent",
            {"query": f'url:"{CAMPAIGN_URL}"', "max_results": 100, **TWEET_PARAMS},
        ),
        (
            "/2/tweets/search/all",
            "/2/tweets/search/all",
            {"query": f'"{PHRASE}"', "max_results": 500, **TWEET_PARAMS},
        ),
        ("/2/users/{id}/tweets", "/2/users/10/tweets", {"max_results": 100, **TWEET_PARAMS}),
        ("/2/users/{id}/mentions", "/2/users/10/mentions", {"max_results": 100, **TWEET_PARAMS}),
        (
            "/2/tweets/{id}/retweeted_by",
            f"/2/tweets/{mark_tweet}/retweeted_by",
            {"max_results": 100, **USER_PARAMS},
        ),
        (
            "/2/tweets/{id}/quote_tweets",
            f"/2/tweets/{mark_tweet}/quote_tweets",
            {"max_results": 100, **TWEET_PARAMS},
        ),
        (
            "/2/tweets/{id}/liking_users",
            f"/2/tweets/{mark_tweet}/liking_users",
            {"max_results": 100, **USER_PARAMS},
        ),
        ("/2/users/by", "/2/users/by", {"usernames": "markw,heavyone,nobody_here", **USER_PARAMS}),
        ("/2/users", "/2/users", {"ids": "10,11,999", **USER_PARAMS}),
        ("/2/tweets", "/2/tweets", {"ids": ",".join([*list(by_id)[:99], "42"]), **TWEET_PARAMS}),
    ]
    for spec_path, path, params in cases:
        answer = get(api, path, params)
        assert answer.status_code == 200, (path, answer.text[:300])
        body = answer.json()
        assert body.get("data"), path
        assert_valid(spec_path, body)
    # and the pages carry what the collector relies on
    search = cases[0][2]
    retweets = get(
        api, "/2/tweets/search/recent", {**search, "query": f'url:"{CAMPAIGN_URL}" is:retweet'}
    ).json()
    assert retweets["includes"]["users"] and retweets["includes"]["tweets"]
    assert_valid("/2/tweets/search/recent", retweets)
    quotes = get(api, "/2/tweets/search/recent", {**search, "query": f'url:"{CAMPAIGN_URL}" is:quote'}).json()
    gone = [
        e for e in quotes["errors"] if e["parameter"] == "referenced_tweets.id" and e["resource_id"] != "1"
    ]
    assert [e["resource_id"] for e in gone] == ["1790000000000000001"]  # the deleted tweet a quote points at
    assert_valid("/2/tweets/search/recent", quotes)
    invalid = get(api, "/2/tweets/search/recent", {"query": "lolcat:yes"})
    assert invalid.status_code == 400
    assert not list(validator("#/components/schemas/InvalidRequestProblem").iter_errors(invalid.json()))


def _all_pages(api, path: str, params: dict, token_name: str) -> list[dict]:
    pages, token, seen = [], None, set()
    while True:
        answer = get(api, path, {**params, **({token_name: token} if token else {})})
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        token = pages[-1]["meta"].get("next_token")
        if not token:
            return pages
        assert token not in seen
        seen.add(token)


def test_pagination_since_id_and_until_id(api, world):
    query = {"query": f'url:"{CAMPAIGN_URL}"', "max_results": 10}
    matching = sorted((t["id"] for t in world.tweets if _shares_campaign(t, world)), key=int, reverse=True)
    pages = _all_pages(api, "/2/tweets/search/recent", query, "next_token")
    served = [t["id"] for p in pages for t in p["data"]]
    assert served == matching  # newest first, each once
    assert len(pages) == -(-len(matching) // 10)
    assert all(p["meta"]["result_count"] == len(p["data"]) for p in pages)
    assert pages[0]["meta"]["newest_id"] == matching[0] and pages[-1]["meta"]["oldest_id"] == matching[-1]
    since, until = matching[30], matching[5]
    window = _all_pages(
        api, "/2/tweets/search/recent", {**query, "since_id": since, "until_id": until}, "next_token"
    )
    assert [t["id"] for p in window for t in p["data"]] == matching[6:30]
    # a token only works for the request that produced it
    token = pages[0]["meta"]["next_token"]
    other = get(api, "/2/tweets/search/recent", {"query": f'"{PHRASE}"', "next_token": token})
    assert other.status_code == 400 and "next_token" in other.text
    assert get(api, "/2/users/10/tweets", {"max_results": 101}).status_code == 400
    empty = get(api, "/2/tweets/search/recent", {**query, "since_id": matching[0]}).json()
    assert empty["meta"] == {"result_count": 0} and "data" not in empty


def _shares_campaign(tweet, world) -> bool:
    by_id = {t["id"]: t for t in world.tweets}
    sources = [tweet] + [
        by_id[r["id"]] for r in tweet.get("referenced_tweets", []) if r["type"] == "retweeted"
    ]
    return any(CAMPAIGN_URL in str(s.get("entities", {}).get("urls")) for s in sources)


def test_query_operators_select_like_x(api, world):
    def ids(query: str) -> set[str]:
        pages = _all_pages(api, "/2/tweets/search/recent", {"query": query, "max_results": 100}, "next_token")
        return {t["id"] for p in pages for t in p.get("data", [])}

    tweets = world.tweets
    retweets = {
        t["id"] for t in tweets if any(r["type"] == "retweeted" for r in t.get("referenced_tweets", []))
    }
    root = next(t["conversation_id"] for t in tweets if t["conversation_id"] != t["id"])
    assert ids(f"conversation_id:{root}") == {t["id"] for t in tweets if t["conversation_id"] == root}
    assert ids("from:markw") == {t["id"] for t in tweets if t["author_id"] == "10"}
    assert (
        ids(f'url:"{CAMPAIGN_URL}" is:retweet')
        == {t["id"] for t in tweets if _shares_campaign(t, world)} & retweets
    )
    assert (
        ids(f'url:"{CAMPAIGN_URL}" -is:retweet')
        == {t["id"] for t in tweets if _shares_campaign(t, world)} - retweets
    )
    assert ids(f'"{PHRASE}"') == {t["id"] for t in tweets if PHRASE in t["text"].lower()}
    assert ids("road") == {t["id"] for t in tweets if "road" in t["text"].split()}
    assert ids("from:brandco OR from:heavyone") == {t["id"] for t in tweets if t["author_id"] in ("11", "12")}
    for bad in ("lolcat:yes", "(from:markw OR road)", "is:wobbly"):
        answer = get(api, "/2/tweets/search/recent", {"query": bad})
        assert answer.status_code == 400, bad
        assert answer.json()["title"] == "Invalid Request"


def test_fields_and_expansions_are_served_as_asked(api):
    plain = get(api, "/2/tweets/search/recent", {"query": "from:markw", "max_results": 10}).json()
    assert set(plain["data"][0]) == {"id", "text", "edit_history_tweet_ids"} and "includes" not in plain
    full = get(
        api, "/2/tweets/search/recent", {"query": "from:markw", "max_results": 10, **TWEET_PARAMS}
    ).json()
    tweet = full["data"][0]
    assert {"author_id", "created_at", "conversation_id", "public_metrics", "lang"} <= set(tweet)
    assert "10" in {u["id"] for u in full["includes"]["users"]}
    assert full["includes"]["users"][0]["public_metrics"]["followers_count"] >= 0
    assert get(api, "/2/users/by", {"usernames": "markw", "expansions": "author_id"}).status_code == 400
    assert get(api, "/2/users/by", {"usernames": "markw", "bogus": "1"}).status_code == 400


def test_bearer_token_and_rate_limit_windows(world):
    clock = FakeClock()
    with FakeXApi(world.dataset(), token=TOKEN, clock=clock, rate_limits={"/2/users/by": 2}) as api:
        assert get(api, "/2/users/by", {"usernames": "markw"}, headers={}).status_code == 401
        assert (
            get(
                api, "/2/users/by", {"usernames": "markw"}, headers={"Authorization": "Bearer nope"}
            ).status_code
            == 401
        )
        first = get(api, "/2/users/by", {"usernames": "markw"})
        second = get(api, "/2/users/by", {"usernames": "markw"})
        third = get(api, "/2/users/by", {"usernames": "markw"})
        assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)
        assert first.headers["x-rate-limit-limit"] == "2"
        assert [r.headers["x-rate-limit-remaining"] for r in (first, second, third)] == ["1", "0", "0"]
        reset = int(third.headers["x-rate-limit-reset"])
        assert clock.now < reset <= clock.now + 15 * 60 + 1
        clock.now = reset
        assert get(api, "/2/users/by", {"usernames": "markw"}).status_code == 200  # a new window
        assert (
            get(api, "/2/tweets", {"ids": "1"}).headers["x-rate-limit-limit"] == "3500"
        )  # windows are per endpoint


def test_faults_look_like_the_real_failures(world):
    params = {"query": f'url:"{CAMPAIGN_URL}"', "max_results": 10}
    with serving(world, FakeClock()) as api:
        api.faults.add("rate_limit_reset", times=1, seconds=30)
        limited = get(api, "/2/tweets/search/recent", params)
        assert limited.status_code == 429 and int(limited.headers["x-rate-limit-reset"]) >= api.clock() + 29
        api.faults.add("rate_limit_no_reset", times=1)
        bare = get(api, "/2/tweets/search/recent", params)
        assert bare.status_code == 429 and "x-rate-limit-reset" not in bare.headers
        api.faults.add("unavailable", times=1)
        assert get(api, "/2/tweets/search/recent", params).status_code == 503
        api.faults.add("invalid_json", times=1)
        broken = get(api, "/2/tweets/search/recent", params)
        assert broken.status_code == 200
        with pytest.raises(ValueError):
            json.loads(broken.content)
        api.faults.add("truncated", times=1)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            get(api, "/2/tweets/search/recent", params)
        api.faults.add("slow", times=1, seconds=0.3)
        started = time.monotonic()
        assert get(api, "/2/tweets/search/recent", params).status_code == 200
        assert time.monotonic() - started >= 0.3
        token = get(api, "/2/tweets/search/recent", params).json()["meta"]["next_token"]
        api.faults.add("repeat_token", times=1)
        again = get(api, "/2/tweets/search/recent", {**params, "next_token": token}).json()
        assert again["meta"]["next_token"] == token
        assert (
            get(api, "/2/tweets/search/recent", params).json()["meta"]["next_token"] == token
        )  # back to normal
        counts = api.request_counts()
    assert sum(counts.values()) == len(api.requests) == 9


def test_runs_as_a_script(tmp_path, world):
    dataset = tmp_path / "world.json"
    dataset.write_text(json.dumps(world.dataset()))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tiemeter.demo.fake_x_api",
            str(dataset),
            "--token",
            TOKEN,
            "--fault",
            "partial_errors:2",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = server.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        answer = requests.get(
            f"{base_url}/2/users/by", params={"usernames": "markw"}, headers=AUTH, timeout=5
        )
        assert answer.json()["data"][0]["id"] == "10"
    finally:
        server.terminate()
        assert server.wait(timeout=10) == 0
