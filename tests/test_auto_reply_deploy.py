"""The auto-reply receipt rule: placed after a given rule, never stopping the rule set, real recipient lists."""

from __future__ import annotations

from pathlib import Path

from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).parents[1] / "deploy" / "email-ops.yaml"


def test_the_rule_does_not_pre_empt_later_rules():
    template = cfn_yaml.load(str(TEMPLATE))
    rule = template["Resources"]["AutoReplyReceiptRule"]["Properties"]
    actions = rule["Rule"]["Actions"]
    assert [next(iter(a)) for a in actions] == ["LambdaAction"]  # no StopAction (the reference had one)
    assert actions[0]["LambdaAction"]["InvocationType"] == "Event"
    assert rule["After"] == {"Fn::If": ["HasRuleAfter", {"Ref": "ReceiptRuleAfter"}, {"Ref": "AWS::NoValue"}]}
    assert rule["Rule"]["ScanEnabled"] is True  # spam and virus verdicts exist for the loop guard


def test_recipients_are_a_list_not_one_comma_joined_string():
    template = cfn_yaml.load(str(TEMPLATE))
    assert template["Parameters"]["AutoReplyRecipients"]["Type"] == "CommaDelimitedList"
    recipients = template["Resources"]["AutoReplyReceiptRule"]["Properties"]["Rule"]["Recipients"]
    assert recipients == {"Fn::If": ["HasRecipients", {"Ref": "AutoReplyRecipients"}, {"Ref": "AWS::NoValue"}]}


def test_the_function_has_a_dead_letter_queue_and_a_stack_scoped_rule_name():
    template = cfn_yaml.load(str(TEMPLATE))
    function = template["Resources"]["AutoReplyFunction"]["Properties"]
    assert function["DeadLetterQueue"]["Type"] == "SQS"
    name = template["Resources"]["AutoReplyReceiptRule"]["Properties"]["Rule"]["Name"]
    assert name == {"Fn::Sub": "${AWS::StackName}-auto-reply"}  # not the template name (collided across stacks)
